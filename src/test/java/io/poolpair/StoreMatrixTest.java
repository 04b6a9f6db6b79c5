package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.demo.DemoWriter;
import io.poolpair.state.ChangeLog;
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

    /**
     * The probe for a change not yet claimed (an index probe, not a count; status sampling asks it whether the pair
     * caught up) sees a change that committed late
     * with a lower id than every change already claimed, and nothing once it is claimed too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES"})
    void unclaimedProbeSeesALateChangeBehindClaimedOnes(String stores) throws Exception {
        try (TwoPools pools = start(stores); var late = pools.a.store().dataSource().getConnection()) {
            ChangeLog changes = new ChangeLog(pools.a.store().dataSource());
            late.setAutoCommit(false);
            try (var ps = late.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri, home_pool) VALUES (?, ?, ?)")) {
                ps.setString(1, "sip:alice@poolA");
                ps.setString(2, "sip:late-probe@example.com");
                ps.setString(3, A);
                ps.executeUpdate();
            }
            for (int i = 0; i < 3; i++) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:probe" + i + "@example.com");
            }
            assertTrue(changes.anyUnclaimed(PRESENCE));
            pools.a.syncNow();
            assertFalse(changes.anyUnclaimed(PRESENCE), "the late change is not committed yet");
            late.commit();
            assertTrue(changes.anyUnclaimed(PRESENCE), "the late change, behind the claimed ones, was not seen");
            pools.a.syncNow();
            assertFalse(changes.anyUnclaimed(PRESENCE));
        }
    }

    /**
     * The acknowledge route records the peer's cookie in the module's {@code pp_export} row while an export cycle
     * claims the next batch, which locks that row in a repeatable-read transaction: PostgreSQL fails the claim
     * ("could not serialize access due to concurrent update"), which is claimed again instead of failing the cycle.
     */
    @org.junit.jupiter.api.Test
    void claimThatMeetsAnAcknowledgementBeingRecordedClaimsAgain() throws Exception {
        try (TwoPools pools = start("POSTGRES-POSTGRES"); var acknowledging = pools.a.store().dataSource().getConnection()) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:claimed-again@example.com");
            acknowledging.setAutoCommit(false);
            try (var ps = acknowledging.prepareStatement("UPDATE pp_export SET acked_batch = acked_batch WHERE module = ?")) {
                ps.setString(1, PRESENCE);
                ps.executeUpdate();
            }
            var cycle = java.util.concurrent.CompletableFuture.runAsync(pools.a::syncNow);
            TwoPools.await("the claim waits for the pp_export row", () -> TwoPools.count(pools.a, "SELECT COUNT(*) FROM"
                    + " pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT last_batch FROM pp_export%'") == 1);
            acknowledging.commit();
            cycle.get(1, java.util.concurrent.TimeUnit.MINUTES);
            assertEquals(1, pools.exportState(pools.a, PRESENCE).lastBatch(), "the cycle claimed its batch");
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:claimed-again@example.com"));
        }
    }
}
