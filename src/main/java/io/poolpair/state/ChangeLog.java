package io.poolpair.state;

import io.poolpair.Headers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Header;

/**
 * The captured changes of this pool ({@code pp_change}): the one class that reads and writes them. The capture
 * triggers (store/h2, store/postgresql) insert the rows; the export claims them into numbered batches: on H2 by
 * marking each row with its batch ({@code batch IS NULL}: not claimed yet, so a transaction that commits late with a
 * lower id is still claimed), on PostgreSQL as ranges of transaction and change ids ({@link ChangeRanges}, which
 * keeps the same promise); the acknowledgement purges the rows of acknowledged batches ({@link #purgeAcknowledged}). A
 * key is stored as captured: a JSON array of its key values, whose spelling depends on the database
 * ({@code failover/KeyTimes.normalize} gives the one form to compare).
 *
 * <p>Methods taking a {@link Connection} run in the caller's transaction (a claim, a staging snapshot, an apply);
 * the others take their own connection.
 *
 * <p>One class over 300 lines because every statement on {@code pp_change} is here, beside nothing else: capture,
 * claim, purge, re-capture and the readers each need the same table's invariants (claimed or not, purged above
 * {@code pp_export.purged_batch}), and splitting them would spread those over several owners.
 */
public final class ChangeLog {

    /** One captured change as the conflict check sees it: whether it is claimed into a batch yet. */
    public interface ChangeVisitor {
        void visit(String table, String key, Timestamp changedAt, boolean claimed) throws SQLException;
    }

    /** One key claimed into a batch: its change ids, how many changes it had, and the time of its latest write. */
    public interface ClaimedKeyVisitor {
        void visit(String table, String key, long minId, long maxId, long changes, Timestamp latest) throws SQLException;
    }

    /** A key to capture again (op U) at {@code changedAt} (now when null). */
    public record Recapture(String table, String key, Timestamp changedAt) {
    }

    /** The time of the latest write of a key claimed into a batch. */
    public record KeyTime(String table, String key, Timestamp changedAt) {
    }

    private final DataSource dataSource;

    public ChangeLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Changes of the module captured and not yet claimed into a batch. */
    public long pending(String module) throws SQLException {
        return unclaimed("SELECT COUNT(*) FROM pp_change WHERE module = ? AND ", module);
    }

    /** True while the module has a change not yet claimed into a batch (one index probe, not a count). */
    public boolean anyUnclaimed(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            boolean ranges = ChangeRanges.apply(conn);
            conn.setAutoCommit(false);
            // H2: ordered as the index (module, batch, id) is, with a LIMIT, so it reads the first pending entry; the
            // PostgreSQL probes stop at the first too, in the index's order (a count or an OR of both, or a sort of
            // what the statistics think is one row, read every pending change)
            if (ranges) {
                ChangeRanges.indexOrderOnly(conn, true);
            }
            try (PreparedStatement ps = conn.prepareStatement(ranges ? ChangeRanges.ANY_UNCLAIMED
                    : "SELECT 1 FROM pp_change WHERE module = ? AND batch IS NULL ORDER BY module, batch, id LIMIT 1")) {
                if (ranges) {
                    ChangeRanges.bindAfter(ps, 1, module, ChangeRanges.latest(conn, module));
                } else {
                    ps.setString(1, module);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } finally {
                conn.rollback(); // read only; ends the transaction the planner settings lived in
                conn.setAutoCommit(true);
            }
        }
    }

    /** The id of the module's newest change not yet claimed into a batch, or null when there is none. */
    public Long newestUnclaimedId(String module) throws SQLException {
        return unclaimed("SELECT MAX(id) FROM pp_change WHERE module = ? AND ", module);
    }

    /** The value {@code select} + "not claimed" gives over the module's changes, or null. */
    private Long unclaimed(String select, String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            boolean ranges = ChangeRanges.apply(conn);
            try (PreparedStatement ps = conn.prepareStatement(select + unclaimedCondition(ranges))) {
                ps.setString(1, module);
                if (ranges) {
                    ChangeRanges.bindAfter(ps, 2, module, ChangeRanges.latest(conn, module));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long value = rs.getLong(1);
                    return rs.wasNull() ? null : value;
                }
            }
        }
    }

    /** The condition "not claimed into a batch yet": the batch column on H2, after the last claim on PostgreSQL. */
    private static String unclaimedCondition(boolean ranges) {
        return ranges ? ChangeRanges.UNCLAIMED : "batch IS NULL";
    }

    /** True once change {@code id} is claimed into a batch (or gone: purged once its batch was acknowledged). */
    public boolean isClaimed(long id) throws SQLException {
        // one primary-key read, the rest in Java: with the range condition in the statement PostgreSQL sometimes planned
        // it on the (module, xact, id) index and read every pending change, every 5 ms of the bench's wait
        try (Connection conn = dataSource.getConnection()) {
            boolean ranges = ChangeRanges.apply(conn);
            try (PreparedStatement ps = conn.prepareStatement("SELECT module, batch" + (ranges ? ", xact" : "")
                    + " FROM pp_change WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return true;
                    }
                    boolean numbered = rs.getObject(2) != null; // claimed by writing its batch number (H2, or before ranges)
                    if (numbered || !ranges) {
                        return numbered;
                    }
                    return ChangeRanges.latest(conn, rs.getString(1)).claims(rs.getLong(3), id);
                }
            }
        }
    }

    /**
     * The oldest change of the module not in an acknowledged batch (acknowledged ones are purged right after, or
     * after a restart), or null when there is none.
     */
    public Instant oldestUnacknowledged(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            long acked;
            try (PreparedStatement ps = conn.prepareStatement("SELECT COALESCE(MAX(acked_batch), 0) FROM pp_export WHERE module = ?")) {
                ps.setString(1, module);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    acked = rs.getLong(1);
                }
            }
            // PostgreSQL: not claimed by the batches up to the acknowledged one
            boolean ranges = ChangeRanges.apply(conn);
            try (PreparedStatement ps = conn.prepareStatement("SELECT MIN(changed_at) FROM pp_change WHERE module = ? AND ("
                    + unclaimedCondition(ranges) + " OR batch > ?)")) {
                ps.setString(1, module);
                int next = ranges ? ChangeRanges.bindAfter(ps, 2, module, ChangeRanges.latestUpTo(conn, module, acked)) : 2;
                ps.setLong(next, acked);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Timestamp ts = rs.getTimestamp(1);
                    return ts == null ? null : ts.toInstant();
                }
            }
        }
    }

    /** Every key of {@code table} with a change here not yet acknowledged by the peer (claimed or not), as captured. */
    public void forEachKeyOf(String module, String table, java.util.function.Consumer<String> key) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT DISTINCT pk FROM pp_change WHERE module = ? AND table_name = ?")) {
            ps.setString(1, module);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.accept(rs.getString(1));
                }
            }
        }
    }

    /** Captures keys again (op U) so that the next export cycle sends their rows as they are then. */
    public void recapture(String module, List<Recapture> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO pp_change (module, table_name, pk, op, changed_at) VALUES (?, ?, ?, 'U', ?)")) {
            for (Recapture r : keys) {
                ps.setString(1, module);
                ps.setString(2, r.table());
                ps.setString(3, r.key());
                ps.setTimestamp(4, r.changedAt() != null ? r.changedAt() : Timestamp.from(Instant.now()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Captures keys again (op U) stamped with the database's own time of capture, as a write would be: a repair
     * after a verification. {@code keys}: table name → keys as captured. Returns how many were queued.
     */
    public long queueRepair(String module, Map<String, List<String>> keys) throws SQLException {
        long queued = 0;
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO pp_change (module, table_name, pk, op) VALUES (?, ?, ?, 'U')")) {
            for (Map.Entry<String, List<String>> table : keys.entrySet()) {
                for (String key : table.getValue()) {
                    ps.setString(1, module);
                    ps.setString(2, table.getKey());
                    ps.setString(3, key);
                    ps.addBatch();
                    queued++;
                }
            }
            if (queued > 0) {
                ps.executeBatch();
            }
        }
        return queued;
    }

    /**
     * Deletes the changes of the batches the peer has acknowledged and that are not purged yet, and records them as
     * purged (one transaction, so a crash leaves them for the next acknowledgement); returns how many were deleted.
     */
    public int purgeAcknowledged(@Header(Headers.MODULE) String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                ExportState.PurgeRange range = ExportState.lockPurgeRange(conn, module);
                int purged = 0;
                if (range.acked() > range.purged() && ChangeRanges.apply(conn)) {
                    purged = ChangeRanges.purge(conn, module, range.purged(), range.acked());
                    ExportState.markPurged(conn, module, range.acked());
                } else if (range.acked() > range.purged()) {
                    // bounded below by what earlier purges removed: from the start of the claimed changes, the index
                    // scan walked every entry the earlier purges left until a vacuum (270 ms a purge at 1,000,000)
                    try (PreparedStatement ps = conn.prepareStatement(
                            "DELETE FROM pp_change WHERE module = ? AND batch > ? AND batch <= ?")) {
                        ps.setString(1, module);
                        ps.setLong(2, range.purged());
                        ps.setLong(3, range.acked());
                        purged = ps.executeUpdate();
                    }
                    ExportState.markPurged(conn, module, range.acked());
                }
                conn.commit();
                return purged;
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            }
        }
    }

    /**
     * Claims up to {@code max} changes of the module not claimed yet into {@code batch}, oldest first, in the caller's
     * repeatable-read transaction (after it locked the module's numbering); returns how many, or null when none.
     */
    public static Integer claim(Connection conn, String module, long batch, int max) throws SQLException {
        if (ChangeRanges.apply(conn)) {
            return ChangeRanges.claim(conn, module, batch, max);
        }
        // ordered as the index (module, batch, id) is, which module = ? AND batch IS NULL makes the same as by id:
        // H2 then reads the first rows of the index instead of sorting the whole backlog for every batch
        long first;
        long last;
        try (PreparedStatement ps = conn.prepareStatement("SELECT MIN(id), MAX(id) FROM (SELECT id FROM pp_change WHERE module = ?"
                + " AND batch IS NULL ORDER BY module, batch, id LIMIT ?) next_changes")) {
            ps.setString(1, module);
            ps.setInt(2, max);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                first = rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
                last = rs.getLong(2);
            }
        }
        // a plain range read in the same snapshot (no unclaimed change lies below it), not "id IN (subquery)": that
        // plan degrades badly on a table whose statistics were gathered while it was small
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_change SET batch = ? WHERE module = ? AND batch IS NULL AND id BETWEEN ? AND ?")) {
            ps.setLong(1, batch);
            ps.setString(2, module);
            ps.setLong(3, first);
            ps.setLong(4, last);
            return ps.executeUpdate();
        }
    }

    /** The condition "claimed into a batch" over pp_change: the batch column on H2, its claim on PostgreSQL. */
    private record Membership(boolean ranges, ChangeRanges.Claim claim) {

        static Membership of(Connection conn, String module, long batch) throws SQLException {
            boolean ranges = ChangeRanges.apply(conn);
            return new Membership(ranges, ranges ? ChangeRanges.of(conn, module, batch) : null);
        }

        String sql() {
            return ranges ? ChangeRanges.memberOf(claim) : "module = ? AND batch = ?";
        }

        void bind(PreparedStatement ps, String module, long batch) throws SQLException {
            if (ranges) {
                ChangeRanges.bindMember(ps, 1, module, batch, claim);
            } else {
                ps.setString(1, module);
                ps.setLong(2, batch);
            }
        }
    }

    /** Each key claimed into {@code batch}, in the order of its first change. */
    public static void forEachClaimedKey(Connection conn, String module, long batch, ClaimedKeyVisitor visitor)
            throws SQLException {
        Membership member = Membership.of(conn, module, batch);
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, pk, MIN(id), MAX(id), COUNT(*), MAX(changed_at)"
                + " FROM pp_change WHERE " + member.sql() + " GROUP BY table_name, pk ORDER BY MIN(id)")) {
            member.bind(ps, module, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.visit(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getTimestamp(6));
                }
            }
        }
    }

    /** The keys claimed into {@code batch}, each with the time of its latest write. */
    public static List<KeyTime> latestWrites(Connection conn, String module, long batch) throws SQLException {
        List<KeyTime> claimed = new ArrayList<>();
        Membership member = Membership.of(conn, module, batch);
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, pk, MAX(changed_at) FROM pp_change"
                + " WHERE " + member.sql() + " GROUP BY table_name, pk")) {
            member.bind(ps, module, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new KeyTime(rs.getString(1), rs.getString(2), rs.getTimestamp(3)));
                }
            }
        }
        return claimed;
    }

    /** True when the module has any change here the peer has not acknowledged. */
    public static boolean any(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM pp_change WHERE module = ?")) {
            ps.setMaxRows(1);
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Streams every change of the module here the peer has not acknowledged (claimed or not). */
    public static void forEachChange(Connection conn, String module, ChangeVisitor visitor) throws SQLException {
        boolean ranges = ChangeRanges.apply(conn);
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, pk, changed_at, CASE WHEN "
                + unclaimedCondition(ranges) + " THEN 0 ELSE 1 END FROM pp_change WHERE module = ?")) {
            ps.setFetchSize(1000);
            int next = ranges ? ChangeRanges.bindAfter(ps, 1, module, ChangeRanges.latest(conn, module)) : 1;
            ps.setString(next, module);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.visit(rs.getString(1), rs.getString(2), rs.getTimestamp(3), rs.getInt(4) == 1);
                }
            }
        }
    }

    /** Each distinct (table, key) of the module with a change here the peer has not acknowledged. */
    public static void forEachPendingKey(Connection conn, String module,
                                         java.util.function.BiConsumer<String, String> visitor) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT DISTINCT table_name, pk FROM pp_change WHERE module = ?")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.accept(rs.getString(1), rs.getString(2));
                }
            }
        }
    }

    /** Captures one key again (op U) at {@code changedAt}, in the caller's transaction. */
    public static void recapture(Connection conn, String module, String table, String key, Timestamp changedAt)
            throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_change (module, table_name, pk, op, changed_at)"
                + " VALUES (?, ?, ?, 'U', ?)")) {
            ps.setString(1, module);
            ps.setString(2, table);
            ps.setString(3, key);
            ps.setTimestamp(4, changedAt);
            ps.executeUpdate();
        }
    }

    /**
     * After this store went back in time: forgets the changes captured before the last export cycle it knew of
     * (the peer had them) and unclaims the rest, so they are numbered again in the new incarnation's batches.
     */
    static void resetAfterGoingBack(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_change WHERE changed_at <="
                + " (SELECT resumed_from FROM pp_store WHERE id = 1)")) {
            ps.executeUpdate();
        }
        if (ChangeRanges.apply(conn)) {
            ChangeRanges.forgetAll(conn);
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_change SET batch = NULL WHERE batch IS NOT NULL")) {
            ps.executeUpdate();
        }
    }

    /** Forgets every captured change (a benchmark's store that is never synced). */
    public static void clear(Connection conn) throws SQLException {
        try (var st = conn.createStatement()) {
            st.executeUpdate("DELETE FROM pp_change");
        }
    }
}
