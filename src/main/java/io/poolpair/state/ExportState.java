package io.poolpair.state;

import io.poolpair.Headers;
import io.poolpair.batch.BatchName;
import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export side's bookkeeping per module ({@code pp_export}): numbered, published, acknowledged, last error,
 * the peer's last report, a restore owed or sent, and the counters status shows (content waiting or oversized, writes
 * to the peer's rows).
 *
 * <p>One class over 300 lines because it is every statement on {@code pp_export}, the table the export route, the claim,
 * the snapshot writer, the acknowledger, store preparation and status all touch; state/ gives each table one owner
 * (as SymmetricDS's services do), and splitting it would give this one two.
 */
public final class ExportState {

    private static final Logger LOG = LoggerFactory.getLogger(ExportState.class);

    /** One module's export counters. */
    public record Snapshot(String module, long lastBatch, long publishedBatch, long ackedBatch, Instant lastExportAt,
                           Instant publishedAt, Instant ackedAt, String lastError, Instant lastErrorAt,
                           boolean fullSyncRequested, long initialSyncBatch, String oversizedContent,
                           boolean restoreRequested, String restoreReason, long restoreBatch, String peerImportError,
                           Instant peerHeardAt, long restoreLastBatch, String restorePeerIncarnation,
                           long restorePeerBatch, Long refusedBatch, String refusedReason, long peerRowWrites,
                           String lastPeerRowWrite, String contentWaiting) {

        /**
         * The peer refused batch {@code refusedBatch} for a reason a re-send cannot cure, and has not applied it since:
         * an error naming the batch, the reason and the way out; null when there is none.
         */
        public String peerRefusal(String peer) {
            if (refusedBatch == null || refusedBatch <= ackedBatch) {
                return null;
            }
            return peer + " refused batch " + refusedBatch + " of " + module + " for good: " + refusedReason + ". A re-sent"
                    + " copy would be refused alike, so it is not re-sent. Give both pools the same batch limits"
                    + " (poolpair.import.max-entries, poolpair.import.max-batch-bytes, poolpair.import.max-compression-ratio)"
                    + " and the same tables, then restart " + peer + ": it forgets the refusal and this pool sends the batch"
                    + " again (see docs/operations.md)";
        }

        /**
         * While a restore this pool sent is not acknowledged: the most of the peer's batches of {@code incarnation}
         * this pool may report applied, so the peer keeps the changes the restore does not hold pending (and the
         * restore does not overwrite them). Empty when no restore is in flight.
         */
        public java.util.OptionalLong reportCap(String incarnation) {
            if (!restoreRequested && (restoreLastBatch == 0 || ackedBatch >= restoreLastBatch)) {
                return java.util.OptionalLong.empty();
            }
            return java.util.OptionalLong.of(incarnation != null && incarnation.equals(restorePeerIncarnation)
                    ? restorePeerBatch : 0);
        }

        /**
         * The initial pairing is done once its full sync (if it needed one) is acknowledged; a module that owed none
         * is paired once the peer has answered for it (a batch acknowledged, or its cookie heard), so a module with
         * nothing to send yet is FinalState rather than NotInitialized for good.
         */
        public boolean initialized() {
            return initialSyncBatch >= 0 && ackedBatch >= initialSyncBatch && (lastBatch > 0 || peerHeardAt != null);
        }
    }

    private final DataSource dataSource;

    public ExportState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Snapshot get(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT last_batch, published_batch, acked_batch, last_export_at,"
                     + " published_at, acked_at, last_error, last_error_at, full_sync_requested, initial_sync_batch, oversized_content,"
                     + " restore_requested, restore_reason, restore_batch, peer_import_error, peer_heard_at, restore_last_batch,"
                     + " restore_peer_incarnation, restore_peer_batch, refused_batch, refused_reason, peer_row_writes,"
                     + " last_peer_row_write, content_waiting FROM pp_export"
                     + " WHERE module = ?")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no pp_export row for module " + module);
                }
                return new Snapshot(module, rs.getLong(1), rs.getLong(2), rs.getLong(3), instant(rs.getTimestamp(4)),
                        instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getString(7), instant(rs.getTimestamp(8)),
                        rs.getBoolean(9), rs.getLong(10), rs.getString(11), rs.getBoolean(12), rs.getString(13), rs.getLong(14),
                        rs.getString(15), instant(rs.getTimestamp(16)), rs.getLong(17), rs.getString(18), rs.getLong(19),
                        rs.getObject(20) == null ? null : rs.getLong(20), rs.getString(21), rs.getLong(22), rs.getString(23),
                        rs.getString(24));
            }
        }
    }

    /**
     * False before the service first started against this store with this module configured (poolpair's tables not
     * created, or no row of the module yet).
     */
    public boolean has(String module) throws SQLException {
        if (!StateTables.exist(dataSource, "pp_export")) {
            return false;
        }
        try (Connection conn = dataSource.getConnection()) {
            return has(conn, module);
        }
    }

    /** True when the module has its row (the store was prepared with it configured). */
    public static boolean has(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM pp_export WHERE module = ?")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Store preparation: gives a newly configured module its row. {@code owesFullSync}: this pool already holds rows
     * of its own in the module's tables (never captured), so the first export cycle sends them in a full sync and the
     * module stays NotInitialized until the peer acknowledged it.
     */
    public static void ensure(Connection conn, String module, String peer, boolean owesFullSync) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_export (module, peer, full_sync_requested,"
                + " initial_sync_batch) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM pp_export WHERE module = ?)")) {
            ps.setString(1, module);
            ps.setString(2, peer);
            ps.setBoolean(3, owesFullSync);
            ps.setLong(4, owesFullSync ? -1 : 0);
            ps.setString(5, module);
            ps.executeUpdate();
        }
    }

    /** Asks for a full sync of the module, in the caller's transaction (a table added to a running module). */
    public static void requestFullSync(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_export SET full_sync_requested = TRUE WHERE module = ?")) {
            ps.setString(1, module);
            ps.executeUpdate();
        }
    }

    /** Takes the module's last batch number and locks its row until the caller's transaction ends (a claim). */
    public static long lockLastBatch(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT last_batch FROM pp_export WHERE module = ? FOR UPDATE")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no pp_export row for module " + module);
                }
                return rs.getLong(1);
            }
        }
    }

    /** Numbers {@code batch} as the module's last, in the claiming transaction; it must follow the last one. */
    public static void advanceLastBatch(Connection conn, String module, long batch) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_export SET last_batch = ? WHERE module = ? AND last_batch = ?")) {
            ps.setLong(1, batch);
            ps.setString(2, module);
            ps.setLong(3, batch - 1);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("batch numbering of " + module + " moved concurrently; retrying next cycle");
            }
        }
    }

    /** Acknowledged batches whose changes are still to purge: after {@code purged}, up to {@code acked}. */
    public record PurgeRange(long purged, long acked) {
    }

    /** The module's acknowledged batches not purged yet, read in the purging transaction (row locked till its end). */
    public static PurgeRange lockPurgeRange(Connection conn, String module) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT purged_batch, acked_batch FROM pp_export WHERE module = ? FOR UPDATE")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PurgeRange(rs.getLong(1), rs.getLong(2)) : new PurgeRange(0, 0);
            }
        }
    }

    /** Records that the changes of every batch up to {@code batch} are purged (in the purging transaction). */
    public static void markPurged(Connection conn, String module, long batch) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_export SET purged_batch = ? WHERE module = ?")) {
            ps.setLong(1, batch);
            ps.setString(2, module);
            ps.executeUpdate();
        }
    }

    /** A new incarnation of this store: its batch numbering starts again (in the renewing transaction). */
    static void restartNumbering(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_export SET last_batch = 0, published_batch = 0,"
                + " acked_batch = 0, purged_batch = 0, initial_sync_batch = 0, full_sync_requested = FALSE, published_at = NULL,"
                + " acked_at = NULL, restore_last_batch = 0")) {
            ps.executeUpdate();
        }
        SnapshotParts.forgetAll(conn);
    }

    /** Status: a content file larger than a cycle's allowance travelled alone ({@code what} names it). */
    public void recordOversizedContent(String module, String what) throws SQLException {
        update("UPDATE pp_export SET oversized_content = ? WHERE module = ?", what, module);
    }

    /** Status: the file a row of the module waits for, or null once a batch staged without waiting for one. */
    public void recordContentWaiting(String module, String what) throws SQLException {
        update("UPDATE pp_export SET content_waiting = ? WHERE module = ?",
                what == null ? null : what.length() > 3900 ? what.substring(0, 3900) : what, module);
    }

    /** Adds {@code count} rows homed on the peer written here while this pool did not act for it; {@code what}: the last. */
    public void recordPeerRowWrites(String module, long count, String what) throws SQLException {
        update("UPDATE pp_export SET peer_row_writes = peer_row_writes + ?, last_peer_row_write = ? WHERE module = ?",
                count, what.length() > 3900 ? what.substring(0, 3900) : what, module);
    }

    /** Asks for a full sync of the module at the next export cycle ({@code sync --full}). */
    public void requestFullSync(String module) throws SQLException {
        update("UPDATE pp_export SET full_sync_requested = TRUE WHERE module = ?", module);
    }

    /** HTTP sync step: requests a full sync of the body's module (or every module) when {@code full=true}. */
    public void requestFullSyncIfAsked(@Header("full") Boolean full, @Body String module, @Header(Headers.MODULES)
            java.util.List<String> modules) throws SQLException {
        if (Boolean.TRUE.equals(full)) {
            for (String m : modules) {
                requestFullSync(m);
            }
        }
    }

    /**
     * Takes batch numbers {@code first ..} for a staged full sync or restore (one per part, {@code partRows} the rows of
     * each) and records the parts ({@link SnapshotParts}), in one transaction. A restore holds every row a full sync
     * would, so it answers a full sync request too.
     */
    public void numberSnapshot(String module, long first, java.util.List<Long> partRows, boolean restore,
                               String peerIncarnation, long peerBatch) throws SQLException {
        long last = first + partRows.size() - 1;
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                numberSnapshot(conn, module, first, last, restore, peerIncarnation, peerBatch);
                SnapshotParts.replace(conn, module, first, partRows, restore ? SnapshotParts.RESTORE : SnapshotParts.FULL);
                conn.commit();
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        }
    }

    private static void numberSnapshot(Connection conn, String module, long first, long last, boolean restore,
                                       String peerIncarnation, long peerBatch) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_export SET last_batch = ?, full_sync_requested = FALSE, initial_sync_batch = CASE WHEN"
                        + " initial_sync_batch < 0 THEN ? ELSE initial_sync_batch END"
                        + (restore ? ", restore_requested = FALSE, restore_batch = ?, restore_last_batch = ?,"
                        + " restore_peer_incarnation = ?, restore_peer_batch = ?" : "")
                        + " WHERE module = ? AND last_batch = ?")) {
            int i = 1;
            ps.setLong(i++, last);
            ps.setLong(i++, last);
            if (restore) {
                ps.setLong(i++, first);
                ps.setLong(i++, last);
                ps.setString(i++, peerIncarnation);
                ps.setLong(i++, peerBatch);
            }
            ps.setString(i++, module);
            ps.setLong(i, first - 1);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("batch numbering of " + module + " moved while its snapshot was staged; retrying");
            }
        }
    }

    /** What the peer's newest cookie says of its own import of this module (null: all well), and that it spoke. */
    public void recordPeerReport(@Header(Headers.MODULE) String module, @Header(Headers.PEER_IMPORT_ERROR) String error,
                                 @Header(Headers.PEER_REFUSED_BATCH) Long refusedBatch,
                                 @Header(Headers.PEER_REFUSED) String refusedReason) throws SQLException {
        if (refusedBatch != null && !refusedBatch.equals(get(module).refusedBatch())) {
            LOG.error("{}: the peer refused batch {} for good ({}); it is not re-sent", module, refusedBatch, refusedReason);
        }
        update("UPDATE pp_export SET peer_import_error = ?, peer_heard_at = ?, refused_batch = ?, refused_reason = ?"
                + " WHERE module = ?", error, now(), refusedBatch, ErrorText.truncate(refusedReason), module);
    }

    /**
     * Admits a cookie of {@code module} by its sequence: true, and remembered, unless a newer cookie was read before
     * (then the one at hand is an old cookie replayed into the share, or overtaken, and must be ignored).
     */
    public boolean admitCookie(String module, long sequence) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_export SET peer_cookie_sequence = ? WHERE module = ? AND peer_cookie_sequence <= ?")) {
            ps.setLong(1, sequence);
            ps.setString(2, module);
            ps.setLong(3, sequence);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records that an outbox zip now lies in the peer's Data folder. */
    public void markPublished(@Body File batchFile) throws SQLException {
        BatchName name = BatchName.parse(batchFile.getName())
                .orElseThrow(() -> new IllegalArgumentException("not a batch file: " + batchFile));
        update("UPDATE pp_export SET published_batch = ?, published_at = ? WHERE module = ? AND published_batch < ?",
                name.batch(), now(), name.module(), name.batch());
        java.util.Optional<SnapshotParts.Part> part = new SnapshotParts(dataSource).part(name.module(), name.batch());
        if (part.isPresent()) {
            SnapshotParts.Part p = part.get();
            LOG.info("published module={} batch={} bytes={} to the peer's share: {} part {}/{}, rows={},"
                    + " rows through this part {}/{}", name.module(), name.batch(), batchFile.length(),
                    SnapshotParts.describe(p.kind()), p.part(),
                    p.parts(), p.rows(), p.rowsThrough(), p.rowsTotal());
        } else {
            LOG.info("published module={} batch={} bytes={} to the peer's share", name.module(), name.batch(), batchFile.length());
        }
    }

    /**
     * Records the peer's acknowledgement of this store's current incarnation; it never moves backwards. The
     * contradictions (the peer has applied batches this store never numbered, or it went back) are the
     * acknowledger's to act on before this runs.
     */
    public void recordAcknowledged(@Header(Headers.MODULE) String module, @Header(Headers.ACKED_BATCH) long acked)
            throws SQLException {
        Snapshot s = get(module);
        if (acked > s.ackedBatch() && acked <= s.lastBatch()) {
            update("UPDATE pp_export SET acked_batch = ?, acked_at = ? WHERE module = ? AND acked_batch < ?",
                    acked, now(), module, acked);
            LOG.info("acknowledged module={} batch={} (the peer applied everything up to it)", module, acked);
        }
    }

    /** Keeps a contradiction found in the peer's acknowledgement for status, as an export error. */
    public void recordContradiction(String module, String message) throws SQLException {
        LOG.error("{}: {}", module, message);
        update("UPDATE pp_export SET last_error = ?, last_error_at = ? WHERE module = ?", ErrorText.truncate(message), now(),
                module);
    }

    /** Asks for a restore snapshot of every module for the peer (its store went back: it lacks what it acknowledged). */
    public void requestRestore(String reason) throws SQLException {
        LOG.warn(reason);
        update(PeerIncarnations.REQUEST_RESTORE, ErrorText.truncate(reason));
    }

    public void cycleSucceeded(@Header(Headers.MODULE) String module) throws SQLException {
        update("UPDATE pp_export SET last_export_at = ?, last_error = NULL, last_error_at = NULL WHERE module = ?",
                now(), module);
    }

    /** Dead-letter step of the export routes: keeps the error for status, never drops it silently. */
    public void recordError(Exchange exchange) throws SQLException {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String module = exchange.getMessage().getHeader(Headers.MODULE, String.class);
        String message = ErrorText.of(e);
        LOG.error("export of {} failed: {}{}", module, message, ErrorText.stackTrace(e));
        if (module != null) {
            update("UPDATE pp_export SET last_error = ?, last_error_at = ? WHERE module = ?", message, now(), module);
        }
    }

    private void update(String sql, Object... params) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
