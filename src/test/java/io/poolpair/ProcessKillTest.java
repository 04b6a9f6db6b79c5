package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both pools run as separate {@code run} processes, on PostgreSQL and on H2 files, under a steady writer load; each side is killed
 * with SIGKILL at random moments ({@code -Dpoolpair.kills}, default 10) and started again. At the end the copies
 * are equal and every batch was applied exactly once.
 */
class ProcessKillTest {

    private static final int KILLS = Integer.getInteger("poolpair.kills", 10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void poolsKilledAtRandomMomentsConvergeWithEveryBatchAppliedOnce(StoreKind store) throws Exception {
        try (PoolProcesses pools = PoolProcesses.on(store, dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT5S"))) {
            pools.start(A);
            pools.start(B);
            pools.awaitStarted(A);
            pools.awaitStarted(B);
            PoolWriter load = PoolWriter.start(List.of(pools.config(A), pools.config(B)));
            Random random = new Random(42);
            for (int kill = 0; kill < KILLS; kill++) {
                Thread.sleep(1500 + random.nextInt(2500));
                String victim = random.nextBoolean() ? A : B;
                pools.kill(victim);
                Thread.sleep(random.nextInt(1000));
                pools.start(victim);
            }
            long written = load.stop();

            pools.awaitSettled(Duration.ofSeconds(180));
            pools.assertCopiesEqual();
            pools.assertEachBatchAppliedOnce(load);
            System.out.printf("%d kills, %d writer transactions, pools converged%n", KILLS, written);
        }
    }
}
