package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.DemoWriter;
import io.poolpair.demo.PairProbe;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.state.ExportState;
import io.poolpair.state.SnapshotParts;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import io.poolpair.store.SqlScript;
import io.poolpair.store.Store;
import io.poolpair.store.StoreConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Full sync (`sync --full`) and the initial pairing of pools that already hold data. */
class FullSyncTest {

    @TempDir
    Path dir;

    private static void writeAndSettle(TwoPools pools) throws Exception {
        DemoWriter writerA = new DemoWriter(pools.a.store().dataSource(), A, 1_000_000L, 31);
        DemoWriter writerB = new DemoWriter(pools.b.store().dataSource(), B, 2_000_000L, 32);
        for (int round = 1; round <= 2; round++) {
            writerA.writeRound(round);
            writerB.writeRound(round);
        }
        pools.syncUntilSettled();
    }

    @Test
    void fullSyncRestoresTheReceiversLostCopyInPartsWithoutTouchingItsOwnRows() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "7"))) {
            writeAndSettle(pools);
            long ownRowsOnB = TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE home_pool = 'poolB'");
            TwoPools.uncaptured(pools.b, "DELETE FROM user_contact WHERE home_pool = 'poolA'",
                    "DELETE FROM cms_document WHERE home_pool = 'poolA'",
                    "UPDATE user_setting SET setting_value = 'corrupted' WHERE home_pool = 'poolA'");
            long before = pools.exportState(pools.a, PRESENCE).lastBatch();

            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(A).toString(), "--full",
                    "--wait", "--timeout", "PT60S");
            assertEquals(0, result.exit(), result.out() + result.err());
            pools.assertCopiesEqual();
            assertEquals(ownRowsOnB, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE home_pool = 'poolB'"));
            long parts = pools.exportState(pools.a, PRESENCE).lastBatch() - before;
            assertTrue(parts > 1, "the snapshot travelled in parts of at most 7 rows, got " + parts + " part(s)");
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_full_seen"), "the sweep forgets the keys");
        }
    }

    /** The rows of poolA's own in the presence module's tables: what its full sync of the module holds. */
    private static long ownPresenceRows(TwoPools pools) throws Exception {
        long rows = 0;
        for (String table : new String[] {"user_contact", "conference_directory", "user_setting"}) {
            rows += TwoPools.count(pools.a, "SELECT COUNT(*) FROM " + table + " WHERE home_pool = 'poolA'");
        }
        return rows;
    }

    @Test
    void fullSyncWaitPrintsRowsAcknowledgedRisingToTheSnapshotsRows() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "7"))) {
            writeAndSettle(pools);
            long rows = ownPresenceRows(pools);

            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(A).toString(), "--module",
                    PRESENCE, "--full", "--wait", "--timeout", "PT60S");
            assertEquals(0, result.exit(), result.out() + result.err());
            Matcher line = Pattern.compile(Pattern.quote(PRESENCE) + ": rows (\\d+)/(\\d+) acknowledged \\(full sync, (\\d+)/(\\d+)"
                    + " parts").matcher(result.out());
            long lastDone = -1;
            int lines = 0;
            while (line.find()) {
                lines++;
                long done = Long.parseLong(line.group(1));
                assertEquals(rows, Long.parseLong(line.group(2)), "the snapshot's rows in all\n" + result.out());
                assertTrue(done >= lastDone, "rows acknowledged went back from " + lastDone + " to " + done + "\n" + result.out());
                assertTrue(Integer.parseInt(line.group(4)) > 1, "several parts of at most 7 rows\n" + result.out());
                lastDone = done;
            }
            assertTrue(lines > 0, "no progress line in rows\n" + result.out());
            assertEquals(rows, lastDone, "the last progress line: every row acknowledged\n" + result.out());
        }
    }

    @Test
    void syncWaitAfterTheSenderRestartedMidFullSyncReportsTheSnapshotsRowsInJson() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "7"))) {
            writeAndSettle(pools);
            long rows = ownPresenceRows(pools);
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.CommandResult staged = TwoPools.cli("sync", "--config", pools.configFile(A).toString(), "--module",
                    PRESENCE, "--full");
            assertEquals(0, staged.exit(), staged.out() + staged.err());
            long lastPart = pools.exportState(pools.a, PRESENCE).lastBatch();
            assertTrue(pools.exportState(pools.a, PRESENCE).ackedBatch() < lastPart, "the full sync is in flight");

            pools.restart(pools.a);
            pools.b.context().getRouteController().startRoute("import-batches");
            TwoPools.CommandResult waited = TwoPools.cli("sync", "--config", pools.configFile(A).toString(), "--module",
                    PRESENCE, "--wait", "--timeout", "PT60S", "--json");

            assertEquals(0, waited.exit(), waited.out() + waited.err());
            JsonNode json = new ObjectMapper().readTree(waited.out());
            assertEquals(rows, json.path("rowsTotal").asLong(-1), waited.out());
            assertEquals(rows, json.path("rowsDone").asLong(-1), waited.out());
            assertTrue(pools.exportState(pools.a, PRESENCE).ackedBatch() >= lastPart);
        }
    }

    @Test
    void newIncarnationOfTheStoreForgetsTheSnapshotPartsItsOldNumberingNamed() throws Exception {
        PoolConfig config = new io.poolpair.demo.PairFolder(dir, PoolConfig.locateHome()).config(A, B, Map.of());
        try (Store store = Store.open(config)) {
            SnapshotParts parts = new SnapshotParts(store.dataSource());
            new ExportState(store.dataSource()).numberSnapshot(PRESENCE, 1, List.of(7L, 7L, 3L), false, null, 0);
            assertEquals(17, parts.progress(PRESENCE, 2).orElseThrow().rowsTotal());
            assertEquals(14, parts.progress(PRESENCE, 2).orElseThrow().rowsAcked());

            StoreIncarnation incarnation = new StoreIncarnation(store.dataSource());
            incarnation.requestRenewal(incarnation.current(), "restored from an older backup");
            assertTrue(incarnation.renewIfRequested());
            assertTrue(parts.progress(PRESENCE, 0).isEmpty(), "batch 1.. of the new incarnation are not that snapshot's");
        }
    }

    @Test
    void fullSyncShipsChangesWhoseHistoryWasLostIncludingDeletesMadeWhileTheReceiverWasOffline() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            writeAndSettle(pools);
            long ownRowsOnB = TwoPools.count(pools.b, "SELECT COUNT(*) FROM cms_document WHERE home_pool = 'poolB'");
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.exec(pools.a, "DELETE FROM user_contact WHERE home_pool = 'poolA' AND contact_uri LIKE 'sip:contact2%'");
            TwoPools.exec(pools.a, "UPDATE cms_document SET version = 99 WHERE home_pool = 'poolA'");
            TwoPools.exec(pools.a, "DELETE FROM pp_change");
            pools.b.context().getRouteController().startRoute("import-batches");

            new io.poolpair.state.ExportState(pools.a.store().dataSource()).requestFullSync(PRESENCE);
            new io.poolpair.state.ExportState(pools.a.store().dataSource()).requestFullSync(CMS);
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE contact_uri LIKE 'sip:contact2%'"
                    + " AND home_pool = 'poolA'"));
            assertEquals(ownRowsOnB, TwoPools.count(pools.b, "SELECT COUNT(*) FROM cms_document WHERE home_pool = 'poolB'"));
        }
    }

    @Test
    void poolsThatAlreadyHoldDataPairWithoutAnyManualStep() throws Exception {
        PoolConfig a = seed(A, "sip:existing-a@example.com");
        PoolConfig b = seed(B, "sip:existing-b@example.com");
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.export.on-schedule", "true",
                "poolpair.sync-interval", "PT5S"))) {
            assertEquals(a.datasourceUrl(), pools.a.config().datasourceUrl());
            assertEquals(b.datasourceUrl(), pools.b.config().datasourceUrl());
            TwoPools.await("the initial full syncs are applied and acknowledged", () -> PairProbe.settled(pools.a, pools.b)
                    && TwoPools.contacts(pools.b, "sip:existing-a@example.com") == 1
                    && TwoPools.contacts(pools.a, "sip:existing-b@example.com") == 1);
            pools.assertCopiesEqual();
            assertEquals(ExportStatus.FinalState, status(pools.a, PRESENCE).exportStatus());
        }
    }

    @Test
    void exportStatusStaysNotInitializedUntilTheInitialFullSyncIsAcknowledged() throws Exception {
        seed(A, "sip:existing-a@example.com");
        try (TwoPools pools = TwoPools.start(dir)) {
            assertEquals(ExportStatus.NotInitialized, status(pools.a, PRESENCE).exportStatus());
            pools.b.context().getRouteController().stopRoute("import-batches");
            pools.a.syncNow();
            assertTrue(pools.exportState(pools.a, PRESENCE).lastBatch() > 0, "the full sync was numbered");
            assertEquals(ExportStatus.NotInitialized, status(pools.a, PRESENCE).exportStatus(), "not yet acknowledged");
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, pools.exportState(pools.a, PRESENCE).lastBatch());
            assertEquals(ExportStatus.FinalState, status(pools.a, PRESENCE).exportStatus());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:existing-a@example.com"));
        }
    }

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool, String module) throws Exception {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(module);
    }

    /** Creates a pool's store with the demo schema and rows of its own before poolpair ever ran on it. */
    private PoolConfig seed(String pool, String contact) throws Exception {
        PoolConfig config = new io.poolpair.demo.PairFolder(dir, PoolConfig.locateHome()).config(pool, pool.equals(A) ? B : A,
                Map.of());
        try (HikariDataSource ds = StoreConnection.open(config); Connection conn = ds.getConnection()) {
            SqlScript.run(conn, config.datasourceInitScript().orElseThrow());
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri, home_pool)"
                    + " VALUES (?, ?, ?)")) {
                ps.setString(1, "sip:owner@" + pool);
                ps.setString(2, contact);
                ps.setString(3, pool);
                ps.executeUpdate();
            }
        }
        return config;
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void fullSyncSweepsMoreStaleRowsThanOneProbeChunkAndKeepsTheReceiversOwn(StoreKind store) throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), store.pool(A, "demo"), store.pool(B, "demo"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:kept@example.com");
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:own@example.com");
            pools.syncUntilSettled();
            // 1,234 copies of poolA's rows that poolA no longer has (deleted while change history was lost)
            String[] stale = new String[1234];
            for (int i = 0; i < stale.length; i++) {
                stale[i] = "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES"
                        + " ('sip:alice@poolA', 'sip:stale" + i + "@example.com', 'Gone', 'poolA')";
            }
            TwoPools.uncaptured(pools.b, stale);

            new io.poolpair.state.ExportState(pools.a.store().dataSource()).requestFullSync(PRESENCE);
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE home_pool = 'poolA'"));
            assertEquals(1, TwoPools.contacts(pools.b, "sip:own@example.com"), "the sweep touched poolB's own row");
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_full_seen"), "the sweep forgets the keys");
            pools.assertCopiesEqual();
        }
    }

    @Test
    void tableAddedToARunningModuleSendsTheRowsItAlreadyHeld() throws Exception {
        String tables = "poolpair.module." + PRESENCE + ".tables";
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.modules", PRESENCE,
                tables, "user_contact, conference_directory"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:bob@example.com");
            pools.syncUntilSettled();
            // rows written on poolA while user_setting is not replicated yet: never captured
            TwoPools.exec(pools.a, "INSERT INTO user_setting (user_uri, setting_name, setting_value, home_pool)"
                    + " VALUES ('sip:alice@poolA', 'ringtone', 'bells', ?)", A);
            TwoPools.exec(pools.a, "INSERT INTO user_setting (user_uri, setting_name, setting_value, home_pool)"
                    + " VALUES ('sip:alice@poolA', 'language', 'fr', ?)", A);

            pools.overrides.put(tables, "user_contact, conference_directory, user_setting");
            pools.restart(pools.b);
            pools.restart(pools.a);
            pools.syncUntilSettled();

            assertEquals(2, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_setting WHERE user_uri = 'sip:alice@poolA'"));
            pools.assertCopiesEqual();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:bob@example.com"));
        }
    }
}
