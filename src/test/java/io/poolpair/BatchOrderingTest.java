package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.batch.Cookie;
import io.poolpair.share.ShareLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchOrderingTest {

    @TempDir
    Path dir;

    @Test
    void duplicateBatchIsSkippedAndReacknowledged() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:dup@example.com");
            pools.a.syncNow();
            Path batch1 = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            Path copy = dir.resolve("copy-of-batch-1.zip");
            Files.copy(batch1, copy);
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);

            // the peer removed the contact meanwhile; replaying batch 1 must not bring it back
            TwoPools.exec(pools.b, "DELETE FROM user_contact WHERE contact_uri = 'sip:dup@example.com'");
            Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
            Files.delete(cookie);
            Files.copy(copy, batch1);

            TwoPools.await("the duplicate is consumed and acknowledged again", () -> !Files.exists(batch1) && Files.exists(cookie));
            Cookie ack = CookieFiles.read(pools.a, cookie);
            assertEquals(1, ack.lastAppliedBatch());
            assertEquals(0, TwoPools.contacts(pools.b, "sip:dup@example.com"), "the duplicate was applied again");
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log"));
        }
    }

    @Test
    void laterBatchWaitsForItsPredecessorThenBothApplyInOrder() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = 'Second' WHERE contact_uri = 'sip:first@example.com'");
            pools.a.syncNow();
            Path data = pools.dataFolder(pools.b, PRESENCE);
            Path batch1 = data.resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            Path batch2 = data.resolve(new BatchName("poolA", PRESENCE, 2).fileName());
            Path held = dir.resolve("held-back.zip");
            Files.move(batch1, held);

            pools.b.context().getRouteController().startRoute("import-batches");
            // several polls that found batch 2 without batch 1 (0.1 s each) prove that batch 2 waits
            TwoPools.awaitPolls(pools.b, "import-batches", 5);
            assertEquals(0, pools.importState(pools.b, PRESENCE).lastApplied());
            assertTrue(Files.exists(batch2), "batch 2 must stay in the Data folder while batch 1 is missing");
            assertEquals(null, pools.importState(pools.b, PRESENCE).lastError());

            Files.move(held, batch1, StandardCopyOption.ATOMIC_MOVE);
            pools.awaitApplied(pools.b, PRESENCE, 2);
            assertEquals("Second", groupOf(pools, "sip:first@example.com"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log WHERE batch = 1"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log WHERE batch = 2"));
        }
    }

    @Test
    void batchDeletedFromPeerShareIsResentFromOutboxAndAppliedOnce() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:lost@example.com");
            pools.a.syncNow();
            Path batch1 = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            byte[] original = Files.readAllBytes(batch1);
            Files.delete(batch1);

            // the acknowledgement stays behind for longer than poolpair.resend-after (PT1S in tests)
            TwoPools.await("poolA re-sends batch 1 from its outbox", () -> {
                pools.a.syncNow();
                return Files.exists(batch1);
            });
            assertArrayEquals(original, Files.readAllBytes(batch1), "the re-sent batch must be byte for byte the original");
            assertEquals(1, pools.exportState(pools.a, PRESENCE).lastBatch(), "the re-send is the same batch, not a new one");

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:lost@example.com"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log WHERE batch = 1"));
        }
    }

    private static String groupOf(TwoPools pools, String contact) throws Exception {
        try (var conn = pools.b.store().dataSource().getConnection();
             var ps = conn.prepareStatement("SELECT group_name FROM user_contact WHERE contact_uri = ?")) {
            ps.setString(1, contact);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
