package io.poolpair.importer;

import io.poolpair.status.ErrorText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;
import io.poolpair.Headers;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The import side's bookkeeping per module ({@code pp_import}): last applied batch, last error, quarantined files. */
public final class ImportState {

    private static final Logger LOG = LoggerFactory.getLogger(ImportState.class);

    /** One module's import counters. */
    public record Snapshot(String module, long lastApplied, Instant appliedAt, String lastError, Instant lastErrorAt,
                           long quarantined) {
    }

    private final DataSource dataSource;
    private final String peer;

    public ImportState(DataSource dataSource, String peer) {
        this.dataSource = dataSource;
        this.peer = peer;
    }

    public Snapshot get(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            return get(conn, module);
        }
    }

    Snapshot get(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT last_applied, applied_at, last_error, last_error_at,"
                + " quarantined FROM pp_import WHERE source_pool = ? AND module = ?")) {
            ps.setString(1, peer);
            ps.setString(2, module);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no pp_import row for " + peer + " / " + module);
                }
                return new Snapshot(module, rs.getLong(1), instant(rs.getTimestamp(2)), rs.getString(3),
                        instant(rs.getTimestamp(4)), rs.getLong(5));
            }
        }
    }

    public long lastApplied(String module) throws SQLException {
        return get(module).lastApplied();
    }

    /** After a cookie reached the peer's share: the peer now knows up to {@code batch}. */
    public void recordCookieWritten(@Header(Headers.MODULE) String module, @Header(Headers.COOKIE_BATCH) long batch)
            throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_import SET cookie_batch = ? WHERE source_pool = ? AND module = ? AND cookie_batch < ?")) {
            ps.setLong(1, batch);
            ps.setString(2, peer);
            ps.setString(3, module);
            ps.setLong(4, batch);
            ps.executeUpdate();
        }
    }

    /** True when a batch was applied but no cookie saying so reached the peer (its share was down at the time). */
    public boolean cookieOwed(@Header(Headers.MODULE) String module) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT 1 FROM pp_import WHERE source_pool = ? AND module = ? AND last_applied > cookie_batch")) {
            ps.setString(1, peer);
            ps.setString(2, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Records {@code batch} as applied inside the applying transaction; fails unless {@code batch - 1} was the
     * last applied, so no batch is applied twice or out of order whatever happens around it.
     */
    void recordApplied(Connection conn, String module, long batch, long upserts, long deletes) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_import SET last_applied = ?, applied_at = ?,"
                + " last_error = NULL, last_error_at = NULL WHERE source_pool = ? AND module = ? AND last_applied = ?")) {
            ps.setLong(1, batch);
            ps.setTimestamp(2, now);
            ps.setString(3, peer);
            ps.setString(4, module);
            ps.setLong(5, batch - 1);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("batch " + batch + " of " + module + " is not the next one to apply");
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_import_log (source_pool, module, batch, upserts,"
                + " deletes, applied_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, peer);
            ps.setString(2, module);
            ps.setLong(3, batch);
            ps.setLong(4, upserts);
            ps.setLong(5, deletes);
            ps.setTimestamp(6, now);
            ps.executeUpdate();
        }
    }

    public void recordError(String module, String message, boolean quarantined) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_import SET last_error = ?, last_error_at = ?, quarantined = quarantined + ?"
                        + " WHERE source_pool = ? AND module = ?")) {
            ps.setString(1, ErrorText.truncate(message));
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setInt(3, quarantined ? 1 : 0);
            ps.setString(4, peer);
            ps.setString(5, module);
            ps.executeUpdate();
        }
    }

    /** Dead-letter step for import failures that are not the file's fault: keep the error, leave the file. */
    public void recordFailure(Exchange exchange) throws SQLException {
        String module = exchange.getMessage().getHeader(Headers.MODULE, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String message = ErrorText.of(cause);
        LOG.error("import of {} failed, will retry: {}", exchange.getMessage().getHeader(Exchange.FILE_NAME), message, cause);
        if (module != null) {
            recordError(module, message, false);
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
