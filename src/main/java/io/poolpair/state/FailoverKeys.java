package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * While a failover is in effect, the time of the latest write of each key this pool claimed into a batch
 * ({@code pp_failover_key}): it outlives the purge of acknowledged changes, so the newest write of a key written on
 * both pools is kept at failback. Keys are stored in their one compared form ({@code failover/KeyTimes.normalize}).
 */
public final class FailoverKeys {

    /** One key's latest write here since the failover began. */
    public interface Visitor {
        void visit(String table, String key, Timestamp changedAt) throws SQLException;
    }

    private FailoverKeys() {
    }

    /** Keeps the latest write of each key (normalized), replacing an older one, in the claiming transaction. */
    public static void record(Connection conn, String module, List<ChangeLog.KeyTime> keys) throws SQLException {
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM pp_failover_key WHERE module = ? AND table_name = ?"
                + " AND pk = ?");
             PreparedStatement ins = conn.prepareStatement("INSERT INTO pp_failover_key (module, table_name, pk, changed_at)"
                     + " VALUES (?, ?, ?, ?)")) {
            for (ChangeLog.KeyTime c : keys) {
                del.setString(1, module);
                del.setString(2, c.table());
                del.setString(3, c.key());
                del.addBatch();
                ins.setString(1, module);
                ins.setString(2, c.table());
                ins.setString(3, c.key());
                ins.setTimestamp(4, c.changedAt());
                ins.addBatch();
            }
            del.executeBatch();
            ins.executeBatch();
        }
    }

    /** Streams the keys of the module written here since {@code since}. */
    public static void forEachSince(Connection conn, String module, Instant since, Visitor visitor) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT table_name, pk, changed_at FROM pp_failover_key WHERE module = ? AND changed_at >= ?")) {
            ps.setFetchSize(1000);
            ps.setString(1, module);
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.visit(rs.getString(1), rs.getString(2), rs.getTimestamp(3));
                }
            }
        }
    }

    /** Forgets every key: a new failover begins (in its transaction). */
    static void clear(Connection conn) throws SQLException {
        try (PreparedStatement keys = conn.prepareStatement("DELETE FROM pp_failover_key")) {
            keys.executeUpdate();
        }
    }
}
