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

/** The last verification of each module, in {@code pp_verify}: what {@code status} shows. */
public final class VerifyRecords {

    /** One module's last verification. */
    public record LastVerification(String module, Instant verifiedAt, String result, long rowsCompared, long differences,
                                   long inFlight, long repairQueued, String summary) {
    }

    private VerifyRecords() {
    }

    /** Keeps {@code m} as its module's last verification (the one before it goes). */
    public static void record(DataSource dataSource, LastVerification m) throws SQLException {
        String summary = m.summary();
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try (PreparedStatement delete = conn.prepareStatement("DELETE FROM pp_verify WHERE module = ?");
                 PreparedStatement insert = conn.prepareStatement("INSERT INTO pp_verify (module, verified_at, result,"
                         + " rows_compared, differences, in_flight, repair_queued, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                delete.setString(1, m.module());
                delete.executeUpdate();
                insert.setString(1, m.module());
                insert.setTimestamp(2, Timestamp.from(m.verifiedAt()));
                insert.setString(3, m.result());
                insert.setLong(4, m.rowsCompared());
                insert.setLong(5, m.differences());
                insert.setLong(6, m.inFlight());
                insert.setLong(7, m.repairQueued());
                insert.setString(8, summary.length() > 4000 ? summary.substring(0, 3997) + "..." : summary);
                insert.executeUpdate();
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        }
    }

    /**
     * The last verification of each listed module (none before poolpair's tables exist: a command before the first
     * start), by module name.
     */
    public static List<LastVerification> latest(DataSource dataSource, List<String> modules) throws SQLException {
        if (!StateTables.exist(dataSource, "pp_verify")) {
            return List.of();
        }
        return all(dataSource).stream().filter(v -> modules.contains(v.module())).toList();
    }

    /** Every module's last verification, by module name. */
    public static List<LastVerification> all(DataSource dataSource) throws SQLException {
        List<LastVerification> all = new ArrayList<>();
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT module, verified_at, result, rows_compared, differences, in_flight, repair_queued, summary"
                        + " FROM pp_verify ORDER BY module"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(new LastVerification(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getString(8)));
            }
        }
        return all;
    }
}
