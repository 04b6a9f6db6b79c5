package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service stops abruptly at a step boundary: a step of the real route is advised to fail as the
 * process would die there, the pool is closed without any further cycle, and a fresh runtime starts on
 * the same database and folders. Everything must converge with nothing applied twice.
 */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    /** Makes the named step of a route fail as if the process died just before it. */
    private static void dieBefore(TwoPools pools, boolean onA, String routeId, String stepId) throws Exception {
        var pool = onA ? pools.a : pools.b;
        AdviceWith.adviceWith(pool.context(), routeId,
                route -> route.weaveById(stepId).before().throwException(new IllegalStateException("simulated crash")));
    }

    @Test
    void crashBetweenClaimAndStageRestagesTheClaimedBatch() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            dieBefore(pools, true, "export-module", "stage-batch");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:claimed@example.com");
            pools.a.syncNow();
            assertEquals(1, pools.exportState(pools.a, PRESENCE).lastBatch(), "the changes were claimed into batch 1");
            assertFalse(Files.exists(pools.a.config().outbox().resolve(new BatchName("poolA", PRESENCE, 1).fileName())));

            pools.restart(pools.a).syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:claimed@example.com"));
            assertEquals(1, pools.exportState(pools.a, PRESENCE).lastBatch(), "batch 1 was rebuilt, not renumbered");
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log"));
        }
    }

    @Test
    void crashBetweenStageAndPublishPublishesTheStagedBatch() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            dieBefore(pools, true, "export-module", "list-unpublished-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:staged@example.com");
            pools.a.syncNow();
            Path staged = pools.a.config().outbox().resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            assertTrue(Files.exists(staged), "batch 1 is staged in the outbox");
            byte[] stagedBytes = Files.readAllBytes(staged);
            assertFalse(Files.exists(pools.dataFolder(pools.b, PRESENCE).resolve(staged.getFileName())));

            pools.b.context().getRouteController().stopRoute("import-batches");
            pools.restart(pools.a).syncNow();
            Path published = pools.dataFolder(pools.b, PRESENCE).resolve(staged.getFileName());
            assertTrue(java.util.Arrays.equals(stagedBytes, Files.readAllBytes(published)), "the staged bytes are published");
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:staged@example.com"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log"));
        }
    }

    @Test
    void crashBetweenApplyAndCookieAcknowledgesWithoutApplyingTwice() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            dieBefore(pools, false, "import-batches", "remove-consumed-batch");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:applied@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            Path batch1 = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            assertTrue(Files.exists(batch1), "the file is still in Data: the process died before removing it");
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "no cookie was written");

            // a row the peer changed after the apply must survive the replay
            TwoPools.exec(pools.b, "UPDATE user_contact SET display_name = 'edited on B' WHERE contact_uri = 'sip:applied@example.com'");
            pools.restart(pools.b);
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertFalse(Files.exists(batch1));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE display_name = 'edited on B'"));
        }
    }

    /**
     * A real crash: poolA runs as its own {@code run} process and halts (exit 137, no shutdown hook, as
     * {@code kill -9}) after it recorded the peer's cookie and before it purged the acknowledged changes and
     * outbox zips. Restarted, it purges them and goes on; nothing is lost or applied twice.
     */
    @Test
    void killedBetweenCookieAndPurgePurgesAfterRestart() throws Exception {
        try (PoolProcesses pools = PoolProcesses.on(StoreKind.H2, dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT5S"))) {
            // at the first cookie that acknowledges a batch (the peer's cookie also comes every cycle, acknowledging 0)
            pools.start(A, "-D" + "poolpair.test.halt-before=purge-acknowledged-changes",
                    "-Dpoolpair.test.halt-if=${header.PoolPairAckedBatch} > 0");
            pools.start(B);
            pools.awaitStarted(A); // poolA's process opens (and serves) its H2 store first
            pools.awaitStarted(B);
            insertContact(pools.dataSource(A), "sip:purge-1@example.com");

            assertEquals(137, pools.awaitExit(A, Duration.ofSeconds(90)), "poolA halted at the crash point\n" + pools.logs());
            assertTrue(pools.log(A).contains("halting before purge-acknowledged-changes"), pools.logs());
            long acked = PoolProcesses.single(pools.dataSource(A), "SELECT acked_batch FROM pp_export WHERE module = ?", PRESENCE);
            assertTrue(acked >= 1, "the cookie was recorded before the crash");
            assertTrue(PoolProcesses.single(pools.dataSource(A), "SELECT COUNT(*) FROM pp_change WHERE module = ?"
                    + " AND batch IS NOT NULL AND batch <= " + acked, PRESENCE) > 0, "the acknowledged changes were not purged");
            Path outbox = pools.config(A).outbox();
            assertTrue(Files.exists(outbox.resolve(new BatchName(A, PRESENCE, 1).fileName())), "nor the outbox zip");

            pools.start(A);
            pools.awaitStarted(A);
            insertContact(pools.dataSource(A), "sip:purge-2@example.com");
            pools.awaitSettled(Duration.ofSeconds(90));
            long ackedNow = PoolProcesses.single(pools.dataSource(A), "SELECT acked_batch FROM pp_export WHERE module = ?", PRESENCE);
            pools.await("the acknowledged changes and outbox zips are purged", Duration.ofSeconds(30), () ->
                    PoolProcesses.single(pools.dataSource(A), "SELECT COUNT(*) FROM pp_change WHERE module = ?"
                            + " AND batch IS NOT NULL AND batch <= " + ackedNow, PRESENCE) == 0
                    && !Files.exists(outbox.resolve(new BatchName(A, PRESENCE, 1).fileName())));
            pools.assertCopiesEqual();
            pools.assertImportLogComplete();
            for (String contact : List.of("sip:purge-1@example.com", "sip:purge-2@example.com")) {
                assertEquals(1, PoolProcesses.single(pools.dataSource(B), "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ?",
                        contact));
            }
        }
    }

    /**
     * A real crash in the middle of a full sync: poolA's process halts (exit 137, as kill -9) after its parts were
     * numbered and before they were renamed into the outbox. Restarted, it places those parts (nothing numbered is
     * rebuilt as an empty batch, nothing is numbered twice) and the peer's copy completes.
     */
    @Test
    void killedBetweenNumberingAndPlacingFullSyncPartsPlacesThemAfterRestart() throws Exception {
        try (PoolProcesses pools = PoolProcesses.on(StoreKind.POSTGRES, dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT5S",
                "poolpair.max-changes-per-batch", "2"))) {
            pools.start(A);
            pools.start(B);
            pools.awaitStarted(A);
            pools.awaitStarted(B);
            for (int i = 0; i < 5; i++) {
                insertContact(pools.dataSource(A), "sip:full-" + i + "@example.com");
            }
            pools.awaitSettled(Duration.ofSeconds(90));
            pools.kill(A);
            long before = PoolProcesses.single(pools.dataSource(A), "SELECT last_batch FROM pp_export WHERE module = ?", PRESENCE);
            // what `sync --full` records when no service runs
            try (var conn = pools.dataSource(A).getConnection(); var ps = conn.prepareStatement(
                    "UPDATE pp_export SET full_sync_requested = TRUE WHERE module = ?")) {
                ps.setString(1, PRESENCE);
                assertEquals(1, ps.executeUpdate());
            }
            // B's copy lost a row behind poolpair's back: only the full sync puts it back
            try (var conn = pools.dataSource(B).getConnection(); var st = conn.createStatement()) {
                conn.setAutoCommit(false);
                st.execute("SELECT set_config('poolpair.applying', 'on', true)"); // capture off, this transaction only
                assertEquals(1, st.executeUpdate("DELETE FROM user_contact WHERE contact_uri = 'sip:full-3@example.com'"));
                conn.commit();
            }

            pools.start(A, "-Dpoolpair.test.halt-before=place-snapshot-parts", "-Dpoolpair.test.halt-if=${header.PoolPairModule} == '"
                    + PRESENCE + "'");
            assertEquals(137, pools.awaitExit(A, Duration.ofSeconds(90)), "poolA halted at the crash point\n" + pools.logs());
            long numbered = PoolProcesses.single(pools.dataSource(A), "SELECT last_batch FROM pp_export WHERE module = ?", PRESENCE);
            assertTrue(numbered >= before + 3, "the parts (5 rows, 2 a part) were numbered before the crash: " + before + " -> " + numbered);
            Path outbox = pools.config(A).outbox();
            for (long batch = before + 1; batch <= numbered; batch++) {
                String name = new BatchName(A, PRESENCE, batch).fileName();
                assertFalse(Files.exists(outbox.resolve(name)), name + " is not in place yet");
                assertTrue(Files.exists(outbox.resolve(name + ".full-part")), name + " is staged under its part name");
            }

            pools.start(A);
            pools.awaitStarted(A);
            pools.await("poolB applied the full sync", Duration.ofSeconds(90), () -> PoolProcesses.single(pools.dataSource(B),
                    "SELECT last_applied FROM pp_import WHERE module = ?", PRESENCE) >= numbered);
            pools.awaitSettled(Duration.ofSeconds(90));
            assertEquals(numbered, PoolProcesses.single(pools.dataSource(A), "SELECT last_batch FROM pp_export WHERE module = ?",
                    PRESENCE), "no part was numbered twice");
            assertEquals(1, PoolProcesses.single(pools.dataSource(B), "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ?",
                    "sip:full-3@example.com"), "the full sync restored the row B lost");
            pools.assertCopiesEqual();
            pools.assertImportLogComplete();
        }
    }

    private static void insertContact(javax.sql.DataSource ds, String contact) throws Exception {
        try (var conn = ds.getConnection(); var ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri,"
                + " group_name, home_pool) VALUES ('sip:alice@poolA', ?, 'G', 'poolA')")) {
            ps.setString(1, contact);
            ps.executeUpdate();
        }
    }
}
