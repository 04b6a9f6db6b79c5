package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.StoreConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery on real pools: poolA is lost (its service stopped), poolB takes over its users with
 * {@code failover}, poolA comes back, and {@code failback} hands its rows back once it has applied everything.
 * Split brain (poolA writing while poolB acts for it) is detected, the conflicting keys listed, the newest write
 * of each kept on both pools.
 */
class FailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWNER = "sip:alice@poolA";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void failoverWhilePoolAIsStoppedThenFailbackLeavesEveryWriteOnA(StoreKind store) throws Exception {
        try (TwoPools pools = start(store)) {
            for (int i = 0; i < 5; i++) {
                TwoPools.insertContact(pools.a, OWNER, "sip:c" + i + "@example.com");
            }
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:b0@example.com");
            pools.syncUntilSettled(); // acknowledged before the disaster

            pools.a.close(); // poolA is lost
            pools.a = null;
            // the data verification asks poolA, which cannot answer: reported, and the failover goes on
            TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", config(pools, B), "--pool", A,
                    "--verification-timeout", "PT1S");
            assertEquals(0, failover.exit(), failover.out() + failover.err());
            assertTrue(failover.out().contains("data verification could not run"), failover.out());
            assertTrue(failover.out().contains("Failover: poolB is acting for poolA since"), failover.out());
            assertEquals("acting", status(pools, B).path("failover").path("role").asText());

            // poolB serves poolA's users: writes to poolA's rows are captured and queued for poolA
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'Moved during failover' WHERE contact_uri = ?",
                    "sip:c1@example.com");
            TwoPools.exec(pools.b, "DELETE FROM user_contact WHERE contact_uri = ?", "sip:c2@example.com");
            TwoPools.exec(pools.b, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES (?, ?, ?, ?)",
                    OWNER, "sip:added-during-failover@example.com", "New", A);
            pools.b.syncNow();
            assertEquals(0, status(pools, B).path("modules").get(0).path("peerRowWrites").asLong(),
                    "writes to poolA's rows while acting for it are not flagged");

            pools.a = pools.startPool(A); // poolA is back
            JsonNode back = status(pools, A);
            assertEquals("superseded", back.path("failover").path("role").asText(), back.toString());
            assertTrue(back.path("failover").path("summary").asText().startsWith("poolB is acting for poolA since"));

            TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", config(pools, B), "--pool", A,
                    "--timeout", "PT60S");
            assertEquals(0, failback.exit(), failback.out() + failback.err());
            assertTrue(failback.out().contains("poolA applied everything; its rows are handed back"), failback.out());
            assertTrue(failback.out().contains("Failover: poolB handed poolA's rows back at"), failback.out());

            assertEquals("Moved during failover", group(pools.a, "sip:c1@example.com"));
            assertEquals(0, TwoPools.contacts(pools.a, "sip:c2@example.com"));
            assertEquals(1, TwoPools.contacts(pools.a, "sip:added-during-failover@example.com"));
            assertEquals(1, TwoPools.contacts(pools.a, "sip:c0@example.com"), "a write acknowledged before the disaster");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertTrue(status(pools, A).path("failover").isNull(), "the notice in poolA's share is removed");
            assertEquals("handed-back", status(pools, B).path("failover").path("role").asText());

            // after the failback, writes on poolB to poolA's rows are flagged
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'Stray' WHERE contact_uri = ?", "sip:c3@example.com");
            pools.b.syncNow();
            JsonNode module = status(pools, B).path("modules").get(0);
            assertEquals(PRESENCE, module.path("module").asText());
            assertEquals(1, module.path("peerRowWrites").asLong());
            assertTrue(module.path("lastPeerRowWrite").asText().contains("sip:c3@example.com"), module.toString());
            assertTrue(TwoPools.cli("status", "--config", config(pools, B)).out().contains("Peer rows written here"));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void splitBrainWritesAreReportedWithTheConflictingKeysAndTheNewestWriteIsKept(StoreKind store) throws Exception {
        try (TwoPools pools = start(store)) {
            for (String c : new String[] {"k1", "k2", "k3"}) {
                TwoPools.insertContact(pools.a, OWNER, "sip:" + c + "@example.com");
            }
            pools.syncUntilSettled();
            pools.a.close();
            pools.a = null;
            assertEquals(0, TwoPools.cli("failover", "--config", config(pools, B), "--pool", A, "--skip-data-verification").exit());

            // split brain while poolA's service is down: an application still writes k2 on poolA, then poolB writes
            // k2 later (poolB's is the newest) and k1
            Instant aWroteK2 = writeGroupWhileServiceIsDown(pools, "sip:k2@example.com", "A wrote k2");
            awaitClockPast(aWroteK2);
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'B wrote k2' WHERE contact_uri = ?", "sip:k2@example.com");
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'B wrote k1' WHERE contact_uri = ?", "sip:k1@example.com");
            pools.b.syncNow();

            // poolA comes back before the failback, applies poolB's batch, then its users write k1 (the newest)
            pools.a = pools.startPool(A);
            pools.awaitApplied(pools.a, PRESENCE, pools.exportState(pools.b, PRESENCE).lastBatch());
            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = 'A wrote k1' WHERE contact_uri = ?", "sip:k1@example.com");
            pools.syncUntilSettled();

            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals("A wrote k1", group(pool, "sip:k1@example.com"), pool.config().pool());
                assertEquals("B wrote k2", group(pool, "sip:k2@example.com"), pool.config().pool());
            }
            pools.assertCopiesEqual();

            JsonNode b = status(pools, B);
            assertTrue(b.path("failover").path("splitBrainBatches").asLong() >= 1, b.toString());
            assertTrue(b.path("failover").path("summary").asText().contains("SPLIT BRAIN: poolA wrote"), b.toString());
            assertEquals("poolA", kept(b, "[\"sip:alice@poolA\",\"sip:k1@example.com\"]"));
            assertEquals("poolB", kept(b, "[\"sip:alice@poolA\",\"sip:k2@example.com\"]"));
            assertEquals(2, b.path("conflicts").size(), b.path("conflicts").toString());
            assertEquals("poolB", kept(status(pools, A), "[\"sip:alice@poolA\",\"sip:k2@example.com\"]"));
            String table = TwoPools.cli("status", "--config", config(pools, B)).out();
            assertTrue(table.contains("Conflicts: 2 key(s) written on both pools, newest write kept:"), table);
            assertTrue(table.contains("user_contact [\"sip:alice@poolA\",\"sip:k1@example.com\"]: kept poolA"), table);
            assertTrue(table.contains("user_contact [\"sip:alice@poolA\",\"sip:k2@example.com\"]: kept poolB"), table);
        }
    }

    @Test
    void plannedFailoverVerifiesTheCopiesFirst() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:planned@example.com");
            pools.syncUntilSettled();
            TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", config(pools, B), "--pool", A);
            assertEquals(0, failover.exit(), failover.out() + failover.err());
            assertTrue(failover.out().contains("data verification of every module against poolA"), failover.out());
            assertFalse(failover.out().contains("could not run"), failover.out());
            assertTrue(failover.out().contains(TwoPools.PRESENCE + ": equal"), failover.out());
            assertTrue(failover.out().contains("Failover: poolB is acting for poolA since"), failover.out());
        }
    }

    @Test
    void lostPoolWithItsShareDownIsTakenOverAndGetsEverythingOnceBack() throws Exception {
        try (TwoPools pools = start(StoreKind.H2)) {
            TwoPools.insertContact(pools.a, OWNER, "sip:before@example.com");
            pools.syncUntilSettled();
            pools.a.close();
            pools.a = null;
            // poolA's site is gone: its share's folders are not reachable from poolB
            Path share = pools.config(A).shareLocal();
            List<String> folders = List.of("TaskAssignment", "Temp", "UserServices");
            for (String folder : folders) {
                Files.move(share.resolve(folder), dir.resolve(folder + "-aside"));
                Files.writeString(share.resolve(folder), "not reachable");
            }
            TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", config(pools, B), "--pool", A,
                    "--skip-data-verification");
            assertEquals(0, failover.exit(), failover.out() + failover.err());
            assertTrue(failover.out().contains("the service writes the notice into poolA's share"), failover.out());

            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'Served by poolB' WHERE contact_uri = ?",
                    "sip:before@example.com");
            pools.b.syncNow();
            JsonNode module = status(pools, B).path("modules").get(0);
            assertEquals("ErrorState", module.path("exportStatus").asText(), module.toString());
            assertEquals(1, module.path("unacknowledgedBatches").asLong(), "the write is staged and queued for poolA");

            for (String folder : folders) {
                Files.delete(share.resolve(folder));
                Files.move(dir.resolve(folder + "-aside"), share.resolve(folder));
            }
            pools.a = pools.startPool(A);
            TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", config(pools, B), "--pool", A,
                    "--timeout", "PT60S");
            assertEquals(0, failback.exit(), failback.out() + failback.err());
            assertEquals("Served by poolB", group(pools.a, "sip:before@example.com"));
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
        }
    }

    @Test
    void failoverAndFailbackRefuseAPoolThatIsNotThePeer() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.CommandResult self = TwoPools.cli("failover", "--config", config(pools, B), "--pool", B);
            assertEquals(2, self.exit());
            assertTrue(self.err().contains("--pool poolB is this pool itself"), self.err());
            assertEquals(2, TwoPools.cli("failover", "--config", config(pools, B), "--pool", "poolC").exit());
            TwoPools.CommandResult notActing = TwoPools.cli("failback", "--config", config(pools, B), "--pool", A);
            assertEquals(2, notActing.exit());
            assertTrue(notActing.err().contains("poolB is not acting for poolA (run failover first)"), notActing.err());
        }
    }

    /** Both pools on H2, or both on PostgreSQL (whose captured keys read {@code ["a", "b"]}, H2's {@code ["a","b"]}). */
    private TwoPools start(StoreKind store) throws Exception {
        Map<String, String> a = store.pool(A, "demo");
        Map<String, String> b = store.pool(B, "demo");
        TwoPools pools = TwoPools.start(dir, Map.of(), a, b);
        // the commands read the pool files: they name the same stores
        for (Map.Entry<String, Map<String, String>> pool : Map.of(A, a, B, b).entrySet()) {
            StringBuilder text = new StringBuilder();
            pool.getValue().forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(pools.configFile(pool.getKey()), text, StandardOpenOption.APPEND);
        }
        return pools;
    }

    private static String config(TwoPools pools, String pool) {
        return pools.configFile(pool).toString();
    }

    private static JsonNode status(TwoPools pools, String pool) throws Exception {
        TwoPools.CommandResult result = TwoPools.cli("status", "--config", config(pools, pool), "--json");
        return JSON.readTree(result.out());
    }

    private static String kept(JsonNode status, String key) {
        for (JsonNode c : status.path("conflicts")) {
            if (c.path("key").asText().equals(key)) {
                return c.path("kept").asText();
            }
        }
        throw new AssertionError("no conflict for " + key + " in " + status.path("conflicts"));
    }

    private static String group(PoolPairRuntime pool, String contact) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT group_name FROM user_contact WHERE contact_uri = ?")) {
            ps.setString(1, contact);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** An application writing to poolA's database while poolA's service is down; returns when it committed. */
    private static Instant writeGroupWhileServiceIsDown(TwoPools pools, String contact, String group) throws SQLException {
        try (HikariDataSource ds = StoreConnection.open(pools.config(A)); Connection conn = ds.getConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE user_contact SET group_name = ? WHERE contact_uri = ?")) {
            ps.setString(1, group);
            ps.setString(2, contact);
            assertEquals(1, ps.executeUpdate());
        }
        return Instant.now();
    }

    /** The database clock stamps writes; the next one must carry a later time than {@code t}. */
    private static void awaitClockPast(Instant t) throws InterruptedException {
        while (!Instant.now().isAfter(t.plusMillis(5))) {
            Thread.sleep(1);
        }
    }
}
