package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The conflicts resolved on this pool ({@code pp_conflict}): keys written on both pools, and which write was kept. */
public final class Conflicts {

    /** One key written on both pools. */
    public record Conflict(String module, String table, String key, Instant localAt, Instant peerAt, String kept,
                           Instant detectedAt) {
    }

    private Conflicts() {
    }

    /** Records a conflict in the applying transaction. */
    public static void record(Connection conn, Conflict conflict) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_conflict (module, table_name, pk, local_at, peer_at,"
                + " kept, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, conflict.module());
            ps.setString(2, conflict.table());
            ps.setString(3, conflict.key());
            ps.setTimestamp(4, Timestamp.from(conflict.localAt()));
            ps.setTimestamp(5, Timestamp.from(conflict.peerAt()));
            ps.setString(6, conflict.kept());
            ps.setTimestamp(7, Timestamp.from(conflict.detectedAt()));
            ps.executeUpdate();
        }
    }

    /** The latest {@code limit} conflicts recorded on this pool, newest first (none before poolpair's tables exist). */
    public static List<Conflict> latest(DataSource dataSource, int limit) throws SQLException {
        List<Conflict> conflicts = new ArrayList<>();
        if (!StateTables.exist(dataSource, "pp_conflict")) {
            return conflicts;
        }
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT module, table_name, pk, local_at, peer_at, kept, detected_at FROM pp_conflict ORDER BY id DESC")) {
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    conflicts.add(new Conflict(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant(), rs.getString(6), rs.getTimestamp(7).toInstant()));
                }
            }
        }
        return conflicts;
    }

    /** Every conflict recorded on this pool (0 before poolpair's tables exist). */
    public static long count(DataSource dataSource) throws SQLException {
        if (!StateTables.exist(dataSource, "pp_conflict")) {
            return 0;
        }
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT COUNT(*) FROM pp_conflict"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
