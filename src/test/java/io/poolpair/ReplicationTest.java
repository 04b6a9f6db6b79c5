package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.demo.DemoWriter;
import io.poolpair.demo.PairProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationTest {

    @TempDir
    Path dir;

    @Test
    void insertsUpdatesAndDeletesInEveryTableConvergeInBothDirections() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            DemoWriter writerA = new DemoWriter(pools.a.store().dataSource(), A, 1_000_000L, 11);
            DemoWriter writerB = new DemoWriter(pools.b.store().dataSource(), B, 2_000_000L, 12);
            for (int round = 1; round <= 3; round++) {
                writerA.writeRound(round);
                writerB.writeRound(round);
                pools.syncUntilSettled();
            }
            pools.assertCopiesEqual();
            for (String table : new String[] {"user_contact", "conference_directory", "user_setting", "cms_document"}) {
                for (String owner : new String[] {A, B}) {
                    assertTrue(TwoPools.count(pools.b, "SELECT COUNT(*) FROM " + table + " WHERE home_pool = ?", owner) > 0,
                            table + " holds rows homed on " + owner);
                }
            }
            // round 3 deleted these keys on their home pool; the delete reached the other pool too
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM cms_document WHERE doc_id = ?", "poolA-doc-8"));
            assertEquals(0, TwoPools.count(pools.a, "SELECT COUNT(*) FROM conference_directory WHERE conference_id = ?",
                    2_000_024L));
            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM cms_document WHERE doc_id = ? AND content IS NULL"
                    + " AND version = 2", "poolB-doc-3"), "the update of poolB-doc-3 (content set to NULL) replicated");
        }
    }

    @Test
    void quartzScheduleReplicatesBothDirectionsWithoutOnDemandSync() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.export.on-schedule", "true",
                "poolpair.sync-interval", "PT5S"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:scheduled-a@example.com");
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:scheduled-b@example.com");
            TwoPools.await("both rows replicated by scheduled cycles", () -> PairProbe.settled(pools.a, pools.b)
                    && TwoPools.contacts(pools.b, "sip:scheduled-a@example.com") == 1
                    && TwoPools.contacts(pools.a, "sip:scheduled-b@example.com") == 1);
            pools.assertCopiesEqual();
        }
    }

    @Test
    void idleCyclesProduceNoBatches() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:carol@example.com");
            pools.syncUntilSettled();
            long exported = pools.exportState(pools.a, PRESENCE).lastBatch();
            for (int i = 0; i < 3; i++) {
                pools.syncBoth();
            }
            assertEquals(exported, pools.exportState(pools.a, PRESENCE).lastBatch());
            assertEquals(0, pools.exportState(pools.a, CMS).lastBatch());
            assertEquals(0, pools.exportState(pools.b, PRESENCE).lastBatch());
            try (Stream<Path> files = Files.list(pools.a.config().outbox())) {
                assertEquals(0, files.count(), "acknowledged batches are purged from the outbox");
            }
            assertEquals(0, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change"), "acknowledged changes are purged");
            String task = Files.readString(pools.a.config().shareLocal().resolve("TaskAssignment/poolA.json"));
            assertTrue(task.contains("\"pid\" : " + ProcessHandle.current().pid()), task);
        }
    }

    @Test
    void exportCycleCutsAtMostMaxBatchesOfMaxChangesEach() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "3",
                "poolpair.max-batches-per-sync", "2"))) {
            // poolB applies nothing yet: an acknowledgement would purge batch 1's changes before they are counted
            pools.b.context().getRouteController().stopRoute("import-batches");
            for (int i = 0; i < 10; i++) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:c" + i + "@example.com");
            }
            pools.a.syncNow();
            assertEquals(2, pools.exportState(pools.a, PRESENCE).lastBatch(), "two batches in the first cycle");
            assertEquals(4, PairProbe.pendingChanges(pools.a, PRESENCE), "the rest waits for the next cycle");
            assertEquals(3, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change WHERE batch = 1"));
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.a.syncNow();
            pools.a.syncNow();
            assertEquals(4, pools.exportState(pools.a, PRESENCE).lastBatch());
            pools.awaitAcknowledged(pools.a, PRESENCE, 4);
            assertEquals(10, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
        }
    }
}
