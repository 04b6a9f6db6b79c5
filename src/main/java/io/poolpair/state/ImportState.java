package io.poolpair.state;

import io.poolpair.Headers;
import io.poolpair.batch.Manifest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The import side's bookkeeping per module ({@code pp_import}): which incarnation of the peer it follows, the
 * last batch applied of it, the batch it waits for, a restore snapshot being applied, last error, quarantined
 * files. Batch numbers run per (source pool, incarnation): when the peer shows up as a new incarnation, the count
 * starts again for it. Each applied batch is also logged ({@link ImportLog}).
 *
 * <p>One class over 300 lines because it is every statement on {@code pp_import} (one table, one owner, as state/ is
 * cut), and its {@link Snapshot} holds the judgements status and the cookie share (a gap that does not fill, a
 * restore's progress).
 */
public final class ImportState {

    private static final Logger LOG = LoggerFactory.getLogger(ImportState.class);
    private static final String COLUMNS = "last_applied, applied_at, last_error, last_error_at, quarantined,"
            + " source_incarnation, waiting_for, waiting_since, restore_batch, restore_parts, restore_rows, restore_rows_done,"
            + " restore_done_at, cookie_batch, contradiction, contradiction_incarnation, refused_batch, refused_incarnation,"
            + " refused_reason";

    /** One module's import counters. */
    public record Snapshot(String module, long lastApplied, Instant appliedAt, String lastError, Instant lastErrorAt,
                           long quarantined, String sourceIncarnation, Long waitingFor, Instant waitingSince,
                           long restoreBatch, long restoreParts, long restoreRows, long restoreRowsDone,
                           Instant restoreDoneAt, long cookieBatch, String contradiction,
                           String contradictionIncarnation, Long refusedBatch, String refusedIncarnation,
                           String refusedReason) {

        /** A contradiction found in the batches of the peer's incarnation this pool follows now, else null. */
        public String currentContradiction() {
            return contradiction != null && contradictionIncarnation != null
                    && contradictionIncarnation.equals(sourceIncarnation) ? contradiction : null;
        }

        /**
         * A gap that does not fill: the importer has waited for batch {@code waitingFor} longer than
         * {@code resendAfter}, within which the peer re-sends a batch missing from this pool's share.
         */
        public Optional<String> stuckGap(String peer, Duration resendAfter) {
            if (waitingFor == null || waitingSince == null || waitingFor <= lastApplied
                    || waitingSince.plus(resendAfter).isAfter(Instant.now())) {
                return Optional.empty();
            }
            return Optional.of("waiting since " + waitingSince + " for batch " + waitingFor + " of " + peer + " (last applied "
                    + lastApplied + "), longer than poolpair.resend-after " + resendAfter + ": " + peer + " has not re-sent it;"
                    + " check " + peer + "'s status and outbox (its ExportStatus shows this error too)");
        }

        /** The error status shows and the cookie reports: the last one recorded, else a stuck gap. */
        public String error(String peer, Duration resendAfter) {
            return lastError != null ? lastError : stuckGap(peer, resendAfter).orElse(null);
        }

        /** A restore snapshot this pool is applying or applied, as status shows it; null when there was none. */
        public String restoreProgress(String peer) {
            if (restoreBatch == 0) {
                return null;
            }
            return restoreDoneAt != null
                    ? "restored from " + peer + " at " + restoreDoneAt + ": " + restoreRowsDone + " rows (batches " + restoreBatch
                    + ".." + (restoreBatch + restoreParts - 1) + ")"
                    : "restoring from " + peer + ": " + restoreRowsDone + " of " + restoreRows + " rows (batches " + restoreBatch
                    + ".." + (restoreBatch + restoreParts - 1) + ")";
        }
    }

    private final DataSource dataSource;
    private final String peer;
    private volatile long lastWaitNoted;

    public ImportState(DataSource dataSource, String peer) {
        this.dataSource = dataSource;
        this.peer = peer;
    }

    /** Store preparation: gives a newly configured module its row for what {@code sourcePool} sends. */
    public static void ensure(Connection conn, String sourcePool, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO pp_import (source_pool, module) SELECT ?, ? WHERE NOT EXISTS"
                        + " (SELECT 1 FROM pp_import WHERE source_pool = ? AND module = ?)")) {
            ps.setString(1, sourcePool);
            ps.setString(2, module);
            ps.setString(3, sourcePool);
            ps.setString(4, module);
            ps.executeUpdate();
        }
    }

    public Snapshot get(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            return get(conn, module);
        }
    }

    public Snapshot get(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM pp_import WHERE source_pool = ?"
                + " AND module = ?")) {
            ps.setString(1, peer);
            ps.setString(2, module);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no pp_import row for " + peer + " / " + module);
                }
                long waiting = rs.getLong(7);
                Long waitingFor = rs.wasNull() ? null : waiting;
                return new Snapshot(module, rs.getLong(1), instant(rs.getTimestamp(2)), rs.getString(3),
                        instant(rs.getTimestamp(4)), rs.getLong(5), rs.getString(6), waitingFor,
                        instant(rs.getTimestamp(8)), rs.getLong(9), rs.getLong(10), rs.getLong(11), rs.getLong(12),
                        instant(rs.getTimestamp(13)), rs.getLong(14), rs.getString(15), rs.getString(16),
                        rs.getObject(17) == null ? null : rs.getLong(17), rs.getString(18), rs.getString(19));
            }
        }
    }

    public long lastApplied(String module) throws SQLException {
        return get(module).lastApplied();
    }

    /**
     * Follows {@code incarnation} of the peer from now on: the first one is adopted as it is; a different one
     * (the peer was rebuilt or restored) starts the count again at 0, and the import log of the old one is
     * dropped, since its batch numbers are reused. Returns the module's state afterwards.
     */
    public Snapshot follow(String module, String incarnation) throws SQLException {
        Snapshot s = get(module);
        if (incarnation.equals(s.sourceIncarnation())) {
            return s;
        }
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                if (s.sourceIncarnation() == null) {
                    update(conn, "UPDATE pp_import SET source_incarnation = ? WHERE source_pool = ? AND module = ?",
                            incarnation, peer, module);
                } else {
                    update(conn, "UPDATE pp_import SET source_incarnation = ?, last_applied = 0, cookie_batch = 0,"
                            + " waiting_for = NULL, waiting_since = NULL, refused_batch = CASE WHEN refused_incarnation = ?"
                            + " THEN refused_batch END WHERE source_pool = ? AND module = ?", incarnation, incarnation, peer,
                            module);
                    update(conn, "DELETE FROM pp_import_log WHERE source_pool = ? AND module = ?", peer, module);
                    LOG.warn("{}: batches of {} now count from its new incarnation {} (it was {}, last applied batch {})",
                            module, peer, incarnation, s.sourceIncarnation(), s.lastApplied());
                }
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            }
        }
        return get(module);
    }

    /**
     * A batch of the peer's current incarnation contradicts what was applied under its number: kept until the peer
     * starts a new incarnation, and reported in every cookie, so the peer learns its store went back in time.
     */
    public void recordContradiction(String module, String incarnation, String message) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            update(conn, "UPDATE pp_import SET contradiction = ?, contradiction_incarnation = ? WHERE source_pool = ?"
                    + " AND module = ?", ErrorText.truncate(message), incarnation, peer, module);
        }
    }

    /**
     * A batch of the peer rejected for a reason a re-send cannot cure (intact and signed, but over a limit or failing a
     * row check here): kept until a batch of that number or later is applied, the peer starts a new incarnation, or this
     * pool restarts (its configuration or schema may have been fixed), and reported in every cookie, so the peer shows
     * an error instead of re-sending the batch.
     */
    public void recordRefusal(String module, long batch, String incarnation, String reason) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            update(conn, "UPDATE pp_import SET refused_batch = ?, refused_incarnation = ?, refused_reason = ? WHERE"
                    + " source_pool = ? AND module = ?", batch, incarnation, ErrorText.truncate(reason), peer, module);
        }
    }

    /** At start-up: refusals are forgotten, so the peer re-sends the batch once to a pool whose settings may have changed. */
    public void forgetRefusals() throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            int n;
            try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_import SET refused_batch = NULL, refused_incarnation"
                    + " = NULL, refused_reason = NULL WHERE source_pool = ? AND refused_batch IS NOT NULL")) {
                ps.setString(1, peer);
                n = ps.executeUpdate();
            }
            if (n > 0) {
                LOG.info("{} module(s) had refused a batch of {}: it may send it again, and it is checked against this"
                        + " start's settings", n, peer);
            }
        }
    }

    /** The sha256 of the manifest of batch {@code batch} as it was applied, when the import log still has it. */
    public Optional<String> appliedManifest(String module, long batch) throws SQLException {
        return ImportLog.manifestOf(dataSource, peer, module, batch);
    }

    /**
     * The importer waits for batch {@code batch}: remembered with the time the wait began (at most once a second
     * per call site), so that a gap that does not fill becomes an error.
     */
    public void noteWaiting(String module, long batch) {
        long now = System.currentTimeMillis();
        if (now - lastWaitNoted < 1000) {
            return;
        }
        lastWaitNoted = now;
        try (Connection conn = dataSource.getConnection()) {
            update(conn, "UPDATE pp_import SET waiting_for = ?, waiting_since = ? WHERE source_pool = ? AND module = ?"
                    + " AND (waiting_for IS NULL OR waiting_for <> ?) AND last_applied < ?", batch, Timestamp.from(Instant.now()),
                    peer, module, batch, batch);
        } catch (SQLException e) {
            LOG.warn("cannot record that {} waits for batch {}: {}", module, batch, e.getMessage());
        }
    }

    /** After a cookie reached the peer's share: the peer now knows up to {@code batch}. */
    public void recordCookieWritten(@Header(Headers.MODULE) String module, @Header(Headers.COOKIE_BATCH) long batch)
            throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            update(conn, "UPDATE pp_import SET cookie_batch = ? WHERE source_pool = ? AND module = ?", batch, peer, module);
        }
    }

    /**
     * Records {@code batch} as applied inside the applying transaction; fails unless {@code batch - 1} was the
     * last applied (or, for the first part of a restore, anything before it: its baseline supersedes them), so no
     * batch is applied twice or out of order whatever happens around it.
     */
    public void recordApplied(Connection conn, String module, Manifest manifest, String manifestSha256, long upserts, long deletes)
            throws SQLException {
        long batch = manifest.batch();
        Timestamp now = Timestamp.from(Instant.now());
        boolean baseline = manifest.restore() && manifest.part() == 1;
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_import SET last_applied = ?, applied_at = ?,"
                + " last_error = NULL, last_error_at = NULL, waiting_for = NULL, waiting_since = NULL,"
                + " refused_batch = CASE WHEN refused_batch <= " + batch + " THEN NULL ELSE refused_batch END"
                + " WHERE source_pool = ? AND module = ? AND " + (baseline ? "last_applied < ?" : "last_applied = ?"))) {
            ps.setLong(1, batch);
            ps.setTimestamp(2, now);
            ps.setString(3, peer);
            ps.setString(4, module);
            ps.setLong(5, baseline ? batch : batch - 1);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("batch " + batch + " of " + module + " is not the next one to apply");
            }
        }
        if (baseline) {
            update(conn, "UPDATE pp_import SET restore_batch = ?, restore_parts = ?, restore_rows = ?, restore_rows_done = ?,"
                    + " restore_done_at = ? WHERE source_pool = ? AND module = ?", batch, (long) manifest.parts(),
                    manifest.snapshotRows() == null ? 0L : manifest.snapshotRows(), upserts,
                    manifest.parts() == 1 ? now : null, peer, module);
        } else if (manifest.restore()) {
            update(conn, "UPDATE pp_import SET restore_rows_done = restore_rows_done + ?, restore_done_at = ?"
                    + " WHERE source_pool = ? AND module = ?", upserts, manifest.part() == manifest.parts() ? now : null, peer,
                    module);
        }
        ImportLog.record(conn, peer, module, batch, upserts, deletes, now, manifestSha256);
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
        LOG.error("import of {} failed, will retry: {}{}", exchange.getMessage().getHeader(Exchange.FILE_NAME), message,
                ErrorText.stackTrace(cause));
        if (module != null) {
            recordError(module, message, false);
        }
    }

    private static void update(Connection conn, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
