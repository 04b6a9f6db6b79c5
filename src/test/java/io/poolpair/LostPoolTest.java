package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import io.poolpair.status.BackupStatus.ImportStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The day a site is lost (DESIGN.md, invariant 7), with both pools in this JVM: a pool rebuilt on an empty store,
 * or restored from an older backup, gets back from its peer every row the peer holds, keeps what it wrote since it
 * restarted, and nothing either pool committed is lost; a gap that never fills is an error on both sides.
 * The process-level versions (run JVMs, kill -9, pgbench) are in {@code LostPoolProcessTest}.
 */
class LostPoolTest {

    private static final String OWNER_A = "sip:alice@poolA";
    private static final String OWNER_B = "sip:bob@poolB";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void rebuiltPoolGetsEveryRowBackAndKeepsWhatItWroteSinceItsRestart(StoreKind store) throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), store.pool(A, "demo"), store.pool(B, "demo"))) {
            for (int i = 0; i < 5; i++) {
                TwoPools.insertContact(pools.a, OWNER_A, "sip:a" + i + "@example.com");
            }
            for (int i = 0; i < 3; i++) {
                TwoPools.insertContact(pools.b, OWNER_B, "sip:b" + i + "@example.com");
            }
            pools.syncUntilSettled();
            String lost = incarnation(pools.a);

            // poolA's site is lost: its database, data folder and share; it is rebuilt empty with the same settings
            pools.a.close();
            pools.a = null;
            wipe(pools.config(A).shareLocal());
            wipe(dir.resolve(A).resolve("data"));
            pools.perPool.put(A, store.pool(A, "demo")); // H2: a new file; PostgreSQL: a new, empty database
            pools.a = pools.startPool(A);
            assertNotEquals(lost, incarnation(pools.a), "a rebuilt store is a new incarnation");

            // written on the rebuilt pool before anything came back: newer than what its peer holds
            TwoPools.insertContact(pools.a, OWNER_A, "sip:after-rebuild@example.com");
            TwoPools.exec(pools.a, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES (?, ?, ?, ?)",
                    OWNER_A, "sip:a1@example.com", "Rewritten after the rebuild", A);

            pools.syncUntilSettled();
            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals(6, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", A));
                assertEquals(3, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", B));
                assertEquals(1, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ? AND group_name = ?",
                        "sip:a1@example.com", "Rewritten after the rebuild"), "the rebuilt pool's newer write is kept");
            }
            pools.assertCopiesEqual();
            BackupStatus.ModuleStatus a = new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE);
            assertNotNull(a.restore(), a.toString());
            assertTrue(a.restore().startsWith("restored from poolB at "), a.restore());
            assertEquals(ImportStatus.NormalState, a.importStatus());
            BackupStatus.ModuleStatus b = new BackupStatus(pools.b.config(), pools.b.store().dataSource()).module(PRESENCE);
            assertTrue(b.restoreToPeer().startsWith("sent to poolA from batch "), b.toString());
            assertEquals(ExportStatus.FinalState, b.exportStatus(), b.toString());

            // and the pair goes on as before
            TwoPools.insertContact(pools.a, OWNER_A, "sip:later@example.com");
            TwoPools.insertContact(pools.b, OWNER_B, "sip:later-b@example.com");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
        }
    }

    @Test
    void failbackToARebuiltPoolPrintsTheRestoreSnapshotsRowsAcknowledgedRisingToTheirTotal() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "7"))) {
            for (int i = 0; i < 30; i++) {
                TwoPools.insertContact(pools.a, OWNER_A, "sip:a" + i + "@example.com");
            }
            TwoPools.insertContact(pools.b, OWNER_B, "sip:b0@example.com");
            pools.syncUntilSettled();
            pools.a.close(); // poolA's site is lost
            pools.a = null;
            TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", pools.configFile(B).toString(), "--pool", A,
                    "--skip-data-verification");
            assertEquals(0, failover.exit(), failover.out() + failover.err());
            wipe(pools.config(A).shareLocal());
            wipe(dir.resolve(A).resolve("data"));
            long rows = 0; // every row poolB holds: what its restore snapshots carry back to the rebuilt poolA
            for (io.poolpair.store.TableInfo table : pools.b.store().catalog().all()) {
                rows += TwoPools.count(pools.b, "SELECT COUNT(*) FROM " + pools.b.store().dialect().qualified(table));
            }
            // rebuilt, it runs its export cycles on its own schedule (its cookie tells poolB the new incarnation)
            pools.perPool.put(A, Map.of("poolpair.export.on-schedule", "true", "poolpair.sync-interval", "PT5S"));
            pools.a = pools.startPool(A);

            TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", pools.configFile(B).toString(), "--pool", A,
                    "--timeout", "PT60S", "--skip-data-verification");
            assertEquals(0, failback.exit(), failback.out() + failback.err());
            // a progress line per change: the restore rows acknowledged, summed over the modules, never going back
            Matcher module = Pattern.compile("(\\S+): \\w+, \\d+ pending, rows (\\d+)/(\\d+) acknowledged \\(restore snapshot,")
                    .matcher("");
            long last = -1;
            long total = -1;
            for (String line : failback.out().split("\n")) {
                module.reset(line);
                long done = 0;
                long all = 0;
                int modules = 0;
                while (module.find()) {
                    modules++;
                    done += Long.parseLong(module.group(2));
                    all += Long.parseLong(module.group(3));
                }
                if (modules > 0) {
                    assertTrue(done >= last, "rows acknowledged went back from " + last + " to " + done + "\n" + failback.out());
                    last = done;
                    total = all;
                }
            }
            assertEquals(rows, total, "the restore snapshots' rows in all\n" + failback.out());
            assertEquals(rows, last, "the last progress line: every row acknowledged\n" + failback.out());
            pools.assertCopiesEqual();
        }
    }

    @Test
    void storeRestoredFromAnOlderBackupStartsANewIncarnationAndGetsBackWhatCameAfter() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            for (int i = 0; i < 3; i++) {
                TwoPools.insertContact(pools.a, OWNER_A, "sip:a" + i + "@example.com");
            }
            TwoPools.insertContact(pools.b, OWNER_B, "sip:b0@example.com");
            pools.syncUntilSettled();
            // an online backup of poolA's database (H2's SCRIPT, as pg_dump would take it)
            Path backup = dir.resolve("poolA-backup.sql");
            try (Connection conn = pools.a.store().dataSource().getConnection(); Statement st = conn.createStatement()) {
                st.execute("SCRIPT TO '" + backup + "'");
            }
            String before = incarnation(pools.a);

            // written after the backup, and replicated to poolB before poolA's store is lost
            for (int i = 3; i < 6; i++) {
                TwoPools.insertContact(pools.a, OWNER_A, "sip:a" + i + "@example.com");
            }
            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = ? WHERE contact_uri = ?", "After the backup",
                    "sip:a0@example.com");
            TwoPools.exec(pools.a, "DELETE FROM user_contact WHERE contact_uri = ?", "sip:a2@example.com");
            TwoPools.insertContact(pools.b, OWNER_B, "sip:b1@example.com");
            pools.syncUntilSettled();

            // poolA's store is restored from the backup: it still names the incarnation it had then
            pools.a.close();
            pools.a = null;
            wipe(dir.resolve(A).resolve("data"));
            String url = pools.config(A).datasourceUrl();
            try (Connection conn = DriverManager.getConnection(url, pools.config(A).datasourceUsername(),
                    pools.config(A).datasourcePassword()); Statement st = conn.createStatement()) {
                st.execute("RUNSCRIPT FROM '" + backup + "'");
            }
            pools.a = pools.startPool(A);
            assertEquals(before, incarnation(pools.a), "the backup holds the incarnation of its day");
            TwoPools.insertContact(pools.a, OWNER_A, "sip:after-restore@example.com");

            pools.syncUntilSettled();
            StoreIncarnation.Info now = new StoreIncarnation(pools.a.store().dataSource()).info();
            assertNotEquals(before, now.incarnation(), "the restored store started a new incarnation");
            assertEquals(before, now.replaced());
            assertTrue(now.reason().contains("went back in time"), now.reason());
            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals(6, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", A),
                        "a0..a5 less a2, and the write after the restore");
                assertEquals(0, TwoPools.contacts(pool, "sip:a2@example.com"), "a delete made after the backup");
                assertEquals(1, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ? AND group_name = ?",
                        "sip:a0@example.com", "After the backup"), "an update made after the backup");
                assertEquals(2, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", B));
            }
            pools.assertCopiesEqual();
        }
    }

    /** The database is lost but the outbox survives: its zips belong to the old incarnation and are not reused. */
    @Test
    void outboxThatOutlivedItsDatabaseIsNotReusedByTheNewIncarnation() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, OWNER_A, "sip:old-timeline@example.com");
            pools.a.syncNow(); // staged and published as batch 1, never applied
            Path staged = pools.a.config().outbox().resolve(new io.poolpair.batch.BatchName(A, PRESENCE, 1).fileName());
            assertTrue(Files.exists(staged));
            pools.a.close();
            pools.a = null;
            try (Stream<Path> files = Files.list(dir.resolve(A).resolve("data"))) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith("store.")).toList()) {
                    Files.delete(p); // the database only
                }
            }
            Files.delete(pools.dataFolder(pools.b, PRESENCE).resolve(staged.getFileName()));
            pools.a = pools.startPool(A);
            assertTrue(Files.notExists(staged), "the old incarnation's zip is gone from the outbox");

            TwoPools.insertContact(pools.a, OWNER_A, "sip:new-timeline@example.com");
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:new-timeline@example.com"), "the new incarnation's batch 1");
            pools.assertCopiesEqual();
        }
    }

    @Test
    void gapThatNeverFillsTurnsImportStatusToErrorStateOnBothSides() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.resend-after", "PT2S"))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, OWNER_A, "sip:first@example.com");
            pools.a.syncNow();
            TwoPools.insertContact(pools.a, OWNER_A, "sip:second@example.com");
            pools.a.syncNow();
            // batch 1 is lost for good: gone from poolB's share and from poolA's outbox
            String first = new io.poolpair.batch.BatchName(A, PRESENCE, 1).fileName();
            Files.delete(pools.dataFolder(pools.b, PRESENCE).resolve(first));
            Files.delete(pools.a.config().outbox().resolve(first));
            pools.b.context().getRouteController().startRoute("import-batches");

            TwoPools.await("poolB's import of poolA turns to ErrorState", () ->
                    status(pools.b).importStatus() == ImportStatus.ErrorState);
            BackupStatus.ModuleStatus b = status(pools.b);
            assertTrue(b.lastImportError().contains("for batch 1 of poolA"), b.lastImportError());
            assertTrue(b.lastImportError().contains("poolpair.resend-after PT2S"), b.lastImportError());
            assertEquals(0, b.lastAppliedBatch(), "batch 2 waits: nothing is applied out of order");

            // poolB's cookie carries the error: the exporting side shows it too
            TwoPools.await("poolA's export to poolB turns to ErrorState", () -> {
                pools.b.syncNow();
                return status(pools.a).exportStatus() == ExportStatus.ErrorState;
            });
            assertTrue(status(pools.a).lastExportError().startsWith("poolB reports ImportStatus ErrorState: waiting since"),
                    status(pools.a).lastExportError());
        }
    }

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool) throws SQLException {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(PRESENCE);
    }

    private static String incarnation(PoolPairRuntime pool) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT incarnation FROM pp_store");
             ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    /** Deletes a folder's contents and the folder, as a lost disk leaves it, then recreates it empty. */
    private static void wipe(Path folder) {
        try {
            if (Files.exists(folder)) {
                try (Stream<Path> all = Files.walk(folder)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
