package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same row written on both pools between two cycles, no failover in effect: both copies end with the newest
 * captured write (ties: the pool whose name sorts first), and the conflict is recorded.
 */
class ConflictTest {

    private static final String OWNER = "sip:alice@poolA";
    private static final String CONTACT = "sip:both@example.com";
    private static final String KEY = "[\"" + OWNER + "\",\"" + CONTACT + "\"]";

    @TempDir
    Path dir;

    private TwoPools start(StoreKind store) throws Exception {
        Map<String, String> a = store.pool(A, "demo");
        Map<String, String> b = store.pool(B, "demo");
        TwoPools pools = TwoPools.start(dir, Map.of(), a, b);
        // the status command reads the pool files: they name the same stores
        for (Map.Entry<String, Map<String, String>> pool : Map.of(A, a, B, b).entrySet()) {
            StringBuilder text = new StringBuilder();
            pool.getValue().forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(pools.configFile(pool.getKey()), text, StandardOpenOption.APPEND);
        }
        TwoPools.insertContact(pools.a, OWNER, CONTACT);
        pools.syncUntilSettled();
        return pools;
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void rowWrittenOnBothPoolsBetweenCyclesEndsWithTheNewestWriteOnBoth(StoreKind store) throws Exception {
        try (TwoPools pools = start(store)) {
            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = 'A wrote' WHERE contact_uri = ?", CONTACT);
            Instant aWrote = Instant.now();
            while (!Instant.now().isAfter(aWrote.plusMillis(5))) {
                Thread.sleep(1); // the database clock stamps the writes: poolB's must be the later one
            }
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'B wrote' WHERE contact_uri = ?", CONTACT);
            stageOnBothThenApplyFirstOn(pools, pools.a);
            pools.syncUntilSettled();

            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals("B wrote", group(pool), pool.config().pool());
            }
            pools.assertCopiesEqual();
            assertConflictRecorded(pools, B);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void rowWrittenOnBothPoolsAtTheSameCapturedTimeKeepsTheWriteOfThePoolNamedFirst(StoreKind store) throws Exception {
        try (TwoPools pools = start(store)) {
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'B wrote' WHERE contact_uri = ?", CONTACT);
            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = 'A wrote' WHERE contact_uri = ?", CONTACT);
            // both writes captured at the very same instant
            Timestamp same = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS));
            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals(1, TwoPools.exec(pool, "UPDATE pp_change SET changed_at = ? WHERE table_name = 'user_contact'",
                        same));
            }
            stageOnBothThenApplyFirstOn(pools, pools.b);
            pools.syncUntilSettled();

            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals("A wrote", group(pool), pool.config().pool());
            }
            pools.assertCopiesEqual();
            assertConflictRecorded(pools, A);
        }
    }

    /**
     * Both pools stage their batch while neither imports, so each batch holds its own pool's write; then the pool
     * whose write loses applies the winner's batch first, and the winner sees its batch acknowledged (and forgets its
     * change) before it applies the loser's older one: the hardest order, where only the loser's resending of the
     * winning write brings the winner's copy back.
     */
    private static void stageOnBothThenApplyFirstOn(TwoPools pools, PoolPairRuntime loser) throws Exception {
        PoolPairRuntime winner = loser == pools.a ? pools.b : pools.a;
        for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
            pool.context().getRouteController().suspendRoute("import-batches");
        }
        pools.a.syncNow();
        pools.b.syncNow();
        loser.context().getRouteController().resumeRoute("import-batches");
        long winnersBatch = pools.exportState(winner, PRESENCE).lastBatch();
        pools.awaitApplied(loser, PRESENCE, winnersBatch);
        pools.awaitAcknowledged(winner, PRESENCE, winnersBatch);
        TwoPools.await("the winner's change purged once acknowledged",
                () -> TwoPools.count(winner, "SELECT COUNT(*) FROM pp_change WHERE table_name = 'user_contact'") == 0);
        winner.context().getRouteController().resumeRoute("import-batches");
    }

    /** At least one pool detected the conflict, and every record of it names the same winner, in status too. */
    private static void assertConflictRecorded(TwoPools pools, String winner) throws Exception {
        long records = 0;
        for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
            long here = TwoPools.count(pool, "SELECT COUNT(*) FROM pp_conflict WHERE table_name = 'user_contact' AND pk = ?", KEY);
            assertEquals(here, TwoPools.count(pool, "SELECT COUNT(*) FROM pp_conflict WHERE pk = ? AND kept = ?", KEY, winner),
                    pool.config().pool() + " recorded another winner than " + winner);
            if (here > 0) {
                TwoPools.CommandResult status = TwoPools.cli("status", "--config",
                        pools.configFile(pool.config().pool()).toString(), "--json");
                JsonNode report = new ObjectMapper().readTree(status.out());
                assertEquals(here, report.path("conflictCount").asLong(), status.out());
                assertEquals(KEY, report.path("conflicts").get(0).path("key").asText(), status.out());
                assertEquals(winner, report.path("conflicts").get(0).path("kept").asText(), status.out());
            }
            var meters = pool.context().getRegistry().lookupByNameAndType("metricsRegistry",
                    io.micrometer.core.instrument.MeterRegistry.class);
            var counter = meters.find("poolpair.conflicts").tag("module", PRESENCE).counter();
            assertEquals(here, counter == null ? 0 : (long) counter.count(), pool.config().pool() + ": poolpair.conflicts");
            records += here;
        }
        assertTrue(records >= 1, "no pool recorded the conflict");
    }

    private static String group(PoolPairRuntime pool) throws Exception {
        try (var conn = pool.store().dataSource().getConnection();
             var ps = conn.prepareStatement("SELECT group_name FROM user_contact WHERE contact_uri = ?")) {
            ps.setString(1, CONTACT);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
