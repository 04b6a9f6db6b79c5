package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The purge of acknowledged changes ({@code ChangeLog.purgeAcknowledged}, the acknowledge route's
 * {@code purge-acknowledged-changes}) deletes the changes of the batches acknowledged since the last purge and moves
 * {@code pp_export.purged_batch}; a store that went back in time numbers from batch 1 again, and its acknowledged
 * batches are purged too.
 */
class ChangePurgeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void acknowledgedBatchesArePurgedAndANewIncarnationsBatchesToo(StoreKind kind) throws Exception {
        PoolConfig config = new PairFolder(dir, PoolConfig.locateHome()).config(A, B, kind.pool(A, "demo"));
        try (Store store = Store.open(config)) {
            ChangeLog changes = new ChangeLog(store.dataSource());
            try (Connection conn = store.dataSource().getConnection()) {
                ExportState.ensure(conn, PRESENCE, B, false);
            }
            capture(changes, "k1", "k2", "k3");
            claimInOrder(store, 3);
            acknowledge(store, 2);

            assertEquals(2, changes.purgeAcknowledged(PRESENCE));
            assertEquals(List.of("k3"), keysLeft(store));
            assertEquals(2, purgedBatch(store));
            assertEquals(0, changes.purgeAcknowledged(PRESENCE), "nothing newly acknowledged");

            acknowledge(store, 3);
            assertEquals(1, changes.purgeAcknowledged(PRESENCE));
            assertEquals(List.of(), keysLeft(store));
            assertEquals(3, purgedBatch(store));

            // the store went back in time: numbering starts again, and batch 1 of the new incarnation is purged once
            // acknowledged, though the old incarnation had purged up to batch 3
            StoreIncarnation incarnation = new StoreIncarnation(store.dataSource());
            incarnation.requestRenewal(incarnation.current(), "restored from an older backup");
            incarnation.renewIfRequested();
            capture(changes, "k4");
            claimInOrder(store, 1);
            acknowledge(store, 1);
            assertEquals(1, changes.purgeAcknowledged(PRESENCE));
            assertEquals(List.of(), keysLeft(store));
        }
    }

    private static void capture(ChangeLog changes, String... keys) throws SQLException {
        for (String key : keys) {
            changes.queueRepair(PRESENCE, Map.of("user_contact", List.of("[\"sip:alice@poolA\",\"sip:" + key + "@example.com\"]")));
        }
    }

    /** Claims the unclaimed changes, oldest first, one a batch, as the export does, numbered up to {@code last}. */
    private static void claimInOrder(Store store, long last) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            for (long batch = ExportState.lockLastBatch(conn, PRESENCE) + 1; batch <= last; batch++) {
                assertEquals(1, ChangeLog.claim(conn, PRESENCE, batch, 1));
                ExportState.advanceLastBatch(conn, PRESENCE, batch);
                conn.commit();
                ExportState.lockLastBatch(conn, PRESENCE);
            }
            conn.commit();
        }
    }

    private static void acknowledge(Store store, long batch) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            update(conn, "UPDATE pp_export SET acked_batch = ? WHERE module = ?", batch);
        }
    }

    private static void update(Connection conn, String sql, long value) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, value);
            ps.setString(2, PRESENCE);
            ps.executeUpdate();
        }
    }

    /** The keys (k1, k2, ...) of the changes still held, oldest first. */
    private static List<String> keysLeft(Store store) throws SQLException {
        try (Connection conn = store.dataSource().getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT pk FROM pp_change ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            List<String> keys = new java.util.ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString(1).replaceAll(".*sip:(k\\d+)@.*", "$1"));
            }
            return keys;
        }
    }

    private static long purgedBatch(Store store) throws SQLException {
        try (Connection conn = store.dataSource().getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT purged_batch FROM pp_export WHERE module = ?")) {
            ps.setString(1, PRESENCE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
