package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
