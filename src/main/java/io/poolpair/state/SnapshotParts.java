package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The parts of the newest full sync or restore snapshot each module staged ({@code pp_snapshot_part}): batch, part
 * i of n, and the rows it holds, kept in the database so that the progress of a snapshot in flight (rows
 * acknowledged of its rows) is known after a restart of the sender too.
 */
public final class SnapshotParts {

    public static final String FULL = "full";
    public static final String RESTORE = "restore";

    /** What a snapshot of {@code kind} is called in progress lines and the log. */
    public static String describe(String kind) {
        return RESTORE.equals(kind) ? "restore snapshot" : "full sync";
    }

    /** One part as staged, with the rows of the snapshot up to and including it and in all. */
    public record Part(String kind, int part, int parts, long rows, long rowsThrough, long rowsTotal) {
    }

    /** A module's newest snapshot: its batches, parts, rows in all and rows in the parts at most {@code acked}. */
    public record Progress(String kind, long firstBatch, long lastBatch, int parts, long rowsTotal, long rowsAcked,
                           int partsAcked) {

        /** True while some part is not acknowledged yet. */
        public boolean inFlight() {
            return partsAcked < parts;
        }
    }

    private final DataSource dataSource;

    public SnapshotParts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records the parts of a snapshot numbered {@code first ..} (one row count per part), replacing the module's
     * previous snapshot, in the caller's (numbering) transaction.
     */
    static void replace(Connection conn, String module, long first, List<Long> partRows, String kind) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_snapshot_part WHERE module = ?")) {
            ps.setString(1, module);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_snapshot_part (module, batch, part, parts, kind,"
                + " row_count) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < partRows.size(); i++) {
                ps.setString(1, module);
                ps.setLong(2, first + i);
                ps.setInt(3, i + 1);
                ps.setInt(4, partRows.size());
                ps.setString(5, kind);
                ps.setLong(6, partRows.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A new incarnation of this store numbers its batches from 1 again: the parts recorded no longer name them. */
    static void forgetAll(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_snapshot_part")) {
            ps.executeUpdate();
        }
    }

    /** The snapshot part numbered {@code batch} of the module, if that batch is one. */
    public Optional<Part> part(String module, long batch) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT p.kind, p.part, p.parts, p.row_count, (SELECT SUM(q.row_count) FROM pp_snapshot_part q"
                        + " WHERE q.module = p.module AND q.batch <= p.batch), (SELECT SUM(q.row_count) FROM pp_snapshot_part q"
                        + " WHERE q.module = p.module) FROM pp_snapshot_part p WHERE p.module = ? AND p.batch = ?")) {
            ps.setString(1, module);
            ps.setLong(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Part(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6))) : Optional.empty();
            }
        }
    }

    /** The module's newest snapshot, counting as acknowledged the parts numbered at most {@code acked}; empty if none. */
    public Optional<Progress> progress(String module, long acked) throws SQLException {
        if (!StateTables.exist(dataSource, "pp_snapshot_part")) {
            return Optional.empty();
        }
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT MIN(kind), MIN(batch), MAX(batch), COUNT(*), SUM(row_count),"
                        + " SUM(CASE WHEN batch <= ? THEN row_count ELSE 0 END), SUM(CASE WHEN batch <= ? THEN 1 ELSE 0 END)"
                        + " FROM pp_snapshot_part WHERE module = ?")) {
            ps.setLong(1, acked);
            ps.setLong(2, acked);
            ps.setString(3, module);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(4) == 0) {
                    return Optional.empty();
                }
                return Optional.of(new Progress(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getLong(5),
                        rs.getLong(6), rs.getInt(7)));
            }
        }
    }
}
