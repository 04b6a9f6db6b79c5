package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.demo.DemoWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The core pipeline's guarantees on H2, on PostgreSQL and on mixed pairs (PostgreSQL on one side, H2 on the other). */
class StoreMatrixTest {

    @TempDir
    Path dir;

    private TwoPools start(String stores) throws Exception {
        StoreKind[] kinds = StoreKind.pair(stores);
        return TwoPools.start(dir, Map.of(), kinds[0].pool(A, "demo"), kinds[1].pool(B, "demo"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POSTGRES-POSTGRES", "POSTGRES-H2", "H2-POSTGRES"})
    void insertsUpdatesAndDeletesConvergeInBothDirections(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            DemoWriter writerA = new DemoWriter(pools.a.store().dataSource(), A, 1_000_000L, 21);
            DemoWriter writerB = new DemoWriter(pools.b.store().dataSource(), B, 2_000_000L, 22);
            for (int round = 1; round <= 3; round++) {
                writerA.writeRound(round);
                writerB.writeRound(round);
                pools.syncUntilSettled();
            }
            pools.assertCopiesEqual();
            assertEquals(0, TwoPools.count(pools.a, "SELECT COUNT(*) FROM cms_document WHERE doc_id = 'poolB-doc-8'"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES", "POSTGRES-H2"})
    void appliedRowsAreNotCapturedAgain(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:noloop@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:noloop@example.com"));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_change"), "applied rows were captured");
            pools.b.syncNow();
            assertEquals(0, pools.exportState(pools.b, PRESENCE).lastBatch(), "poolB exported poolA's rows back");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES"})
    void lateCommittingTransactionIsStillExported(String stores) throws Exception {
        try (TwoPools pools = start(stores); var late = pools.a.store().dataSource().getConnection()) {
            late.setAutoCommit(false);
            try (var ps = late.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri, home_pool) VALUES (?, ?, ?)")) {
                ps.setString(1, "sip:alice@poolA");
                ps.setString(2, "sip:late@example.com");
                ps.setString(3, A);
                ps.executeUpdate();
            }
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:early@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(0, TwoPools.contacts(pools.b, "sip:late@example.com"));
            late.commit();
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 2);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:late@example.com"), "the late commit was skipped");
        }
    }
}
