package io.poolpair;

import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outages: a peer that is down for many cycles, and an outbox that cannot be written. */
class OutageTest {

    @TempDir
    Path dir;

    private static BackupStatus.ModuleStatus status(TwoPools pools) throws Exception {
        return new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE);
    }

    @Test
    void peerDownForManyCyclesBuildsABacklogThenCatchesUpWithNothingLost() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "5",
                "poolpair.max-batches-per-sync", "2"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:before@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            pools.b.close();
            pools.b = null;
            for (int cycle = 0; cycle < 6; cycle++) {
                for (int i = 0; i < 10; i++) {
                    TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:down" + cycle + "-" + i + "@example.com");
                }
                pools.a.syncNow();
            }
            assertEquals(ExportStatus.NonSteadyState, status(pools).exportStatus(), "12 cycles of backlog, 2 batches each");
            assertTrue(status(pools).unacknowledgedBatches() >= 12);

            pools.b = pools.startPool(B);
            TwoPools.await("the backlog drains", () -> {
                pools.a.syncNow();
                return status(pools).exportStatus() == ExportStatus.FinalState;
            });
            assertEquals(61, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
        }
    }

    @Test
    void unwritableOutboxShowsErrorStateAndRecoversWithoutLoss() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path outbox = pools.a.config().outbox();
            Path aside = dir.resolve("outbox-aside");
            Files.move(outbox, aside);
            Files.writeString(outbox, "a file where the outbox folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:outbox@example.com");
            pools.a.syncNow();
            BackupStatus.ModuleStatus failed = status(pools);
            assertEquals(ExportStatus.ErrorState, failed.exportStatus());
            assertTrue(failed.lastError().contains(outbox.toString()), failed.lastError());

            Files.delete(outbox);
            Files.move(aside, outbox);
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertNull(status(pools).lastError());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:outbox@example.com"));
        }
    }

    @Test
    void cookieThatCouldNotBeWrittenIsWrittenAtTheNextCycle() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.resend-after", "PT1H"))) {
            Path cookies = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie");
            Files.createDirectories(cookies);
            try (var files = Files.list(cookies)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(cookies);
            Files.writeString(cookies, "a file where poolA's Cookie folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:cookie@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            TwoPools.await("poolB records that its cookie could not be written",
                    () -> pools.importState(pools.b, PRESENCE).lastError() != null);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch());

            Files.delete(cookies);
            Files.createDirectory(cookies);
            pools.b.syncNow(); // poolB's next cycle, long before the re-send after an hour
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }
}
