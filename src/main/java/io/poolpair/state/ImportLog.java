package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Every batch applied here ({@code pp_import_log}): its counts, when, and the sha256 of its manifest, so a
 * "duplicate" whose manifest differs from the one applied is a contradiction, never a silent skip.
 */
public final class ImportLog {

    private ImportLog() {
    }

    /** Logs batch {@code batch} of {@code sourcePool}'s module as applied, in the applying transaction. */
    static void record(Connection conn, String sourcePool, String module, long batch, long upserts, long deletes,
                       Timestamp appliedAt, String manifestSha256) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_import_log (source_pool, module, batch, upserts,"
                + " deletes, applied_at, manifest_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, sourcePool);
            ps.setString(2, module);
            ps.setLong(3, batch);
            ps.setLong(4, upserts);
            ps.setLong(5, deletes);
            ps.setTimestamp(6, appliedAt);
            ps.setString(7, manifestSha256);
            ps.executeUpdate();
        }
    }

    /** The sha256 of the manifest of batch {@code batch} as it was applied, when the log still has it. */
    static Optional<String> manifestOf(DataSource dataSource, String sourcePool, String module, long batch)
            throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT manifest_sha256 FROM pp_import_log WHERE source_pool = ? AND module = ? AND batch = ?")) {
            ps.setString(1, sourcePool);
            ps.setString(2, module);
            ps.setLong(3, batch);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
