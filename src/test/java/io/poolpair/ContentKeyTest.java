package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.state.ExportState;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.verify.Verifier;
import io.poolpair.verify.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A content file travels under one entry name, built from the row's key values as the batch carries them, whether a
 * delta or a full sync carries its row: the importer places it there, and finds it there again when the row is
 * deleted or swept. A BOOLEAN key shows it: H2 prints it {@code TRUE}, a batch carries {@code true}.
 */
class ContentKeyTest {

    private static final String MODULE = "Test.Flagged";

    @TempDir
    Path dir;

    private TwoPools start() throws Exception {
        return TwoPools.start(dir, Map.of(
                        "poolpair.modules", MODULE,
                        "poolpair.module." + MODULE + ".tables", "flagged_content",
                        "poolpair.module." + MODULE + ".owner-pool", A,
                        "poolpair.module." + MODULE + ".content-dir", "${poolpair.data-dir}/content"),
                StoreKind.H2.pool(A, "content-keys"), StoreKind.H2.pool(B, "content-keys"));
    }

    private static Path contentDir(PoolPairRuntime pool) {
        return pool.config().module(MODULE).contentDir().orElseThrow();
    }

    @Test
    void aRowsFileTravelsUnderTheSameNameInADeltaAndInAFullSync() throws Exception {
        try (TwoPools pools = start()) {
            byte[] bytes = new byte[10_000];
            new Random(7).nextBytes(bytes);
            Path onA = contentDir(pools.a).resolve("7/true");
            Files.createDirectories(onA.getParent());
            Files.write(onA, bytes);
            TwoPools.exec(pools.a, "INSERT INTO flagged_content (conference_id, shared, label) VALUES (7, TRUE, 'slides')");
            pools.syncUntilSettled();
            Path onB = contentDir(pools.b).resolve("7/true");
            assertArrayEquals(bytes, Files.readAllBytes(onB), "the delta carried the file as content/flagged_content/7/true");

            Files.delete(onB);
            new ExportState(pools.a.store().dataSource()).requestFullSync(MODULE);
            pools.syncUntilSettled();
            assertFalse(Files.exists(contentDir(pools.b).resolve("7/TRUE")), "no second name for the same row's file");
            assertArrayEquals(bytes, Files.readAllBytes(onB), "the full sync carried the file under the delta's name");
        }
    }

    @Test
    void verifyComparesTheFileOfABooleanKeyedRowByTheBatchsName() throws Exception {
        try (TwoPools pools = start()) {
            Path onA = contentDir(pools.a).resolve("7/true");
            Files.createDirectories(onA.getParent());
            Files.write(onA, new byte[] {1, 2, 3, 4});
            TwoPools.exec(pools.a, "INSERT INTO flagged_content (conference_id, shared, label) VALUES (7, TRUE, 'slides')");
            pools.syncUntilSettled();
            Verifier verifier = pools.a.context().getRegistry().lookupByNameAndType("verifier", Verifier.class);
            assertTrue(verifier.verify(pools.a.context(), MODULE, null, false, false, Duration.ofMinutes(2)).equal(),
                    "the copies are equal, file included");

            Files.write(contentDir(pools.b).resolve("7/true"), new byte[] {1, 2});
            VerifyReport report = verifier.verify(pools.a.context(), MODULE, null, false, false, Duration.ofMinutes(2));
            assertEquals(1, report.modules().get(0).differences(), report::toJson);
        }
    }
}
