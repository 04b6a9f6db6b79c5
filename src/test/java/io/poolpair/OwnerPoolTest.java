package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.CMS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.state.ExportState;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module without an owner column names its owner pool: a full sync sweeps only the rows its sender owns. */
class OwnerPoolTest {

    private static final Map<String, String> CMS_OWNED_BY_A = Map.of("poolpair.modules", CMS,
            "poolpair.module." + CMS + ".owner-column", "",
            "poolpair.module." + CMS + ".owner-pool", A);

    @TempDir
    Path dir;

    @Test
    void fullSyncFromThePoolThatDoesNotOwnTheModuleKeepsTheOwnersRowsNotYetSent() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, CMS_OWNED_BY_A)) {
            insert(pools, "doc-sent");
            pools.syncUntilSettled();
            insert(pools, "doc-not-yet-sent");

            // sync --full on poolB, which has only doc-sent
            new ExportState(pools.b.store().dataSource()).requestFullSync(CMS);
            pools.b.syncNow();
            pools.awaitApplied(pools.a, CMS, pools.exportState(pools.b, CMS).lastBatch());
            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM cms_document WHERE doc_id = 'doc-not-yet-sent'"),
                    "poolB's full sync deleted poolA's row");

            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertEquals(2, TwoPools.count(pools.b, "SELECT COUNT(*) FROM cms_document"));
        }
    }

    @Test
    void writeOnThePoolThatDoesNotOwnTheModuleTravelsAndIsFlagged() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, CMS_OWNED_BY_A)) {
            TwoPools.exec(pools.b, "INSERT INTO cms_document (doc_id, version, content, home_pool) VALUES ('doc-b', 1, 'b', ?)",
                    TwoPools.B);
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM cms_document WHERE doc_id = 'doc-b'"));
            var status = new io.poolpair.status.BackupStatus(pools.b.config(), pools.b.store().dataSource()).module(CMS);
            assertEquals(1, status.peerRowWrites(), "poolB's write to poolA's module is not flagged");
            assertTrue(status.lastPeerRowWrite().startsWith("cms_document [\"doc-b\"] in batch 1"), status.lastPeerRowWrite());
            assertEquals(0, new io.poolpair.status.BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(CMS)
                    .peerRowWrites(), "poolA owns the module: its writes are its own");
        }
    }

    private static void insert(TwoPools pools, String doc) throws Exception {
        TwoPools.exec(pools.a, "INSERT INTO cms_document (doc_id, version, content, home_pool) VALUES (?, 1, 'text', ?)",
                doc, A);
    }
}
