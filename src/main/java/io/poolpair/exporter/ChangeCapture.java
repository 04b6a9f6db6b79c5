package io.poolpair.exporter;

import io.poolpair.Headers;
import io.poolpair.state.FailoverState;
import io.poolpair.failover.KeyTimes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims captured changes into numbered batches. A change is claimed by marking its {@code pp_change} row
 * with the batch number, never by an id watermark: a transaction that commits late, holding a lower change
 * id than one already exported, still has {@code batch IS NULL} and is claimed by the next batch.
 */
public final class ChangeCapture {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeCapture.class);

    private final DataSource dataSource;
    private final int maxBatchesPerSync;
    private final int maxChangesPerBatch;
    private final FailoverState failover;

    public ChangeCapture(DataSource dataSource, int maxBatchesPerSync, int maxChangesPerBatch, FailoverState failover) {
        this.dataSource = dataSource;
        this.failover = failover;
        this.maxBatchesPerSync = maxBatchesPerSync;
        this.maxChangesPerBatch = maxChangesPerBatch;
    }

    /** How many batches this cycle cuts from {@code pending} unclaimed changes, capped by max-batches-per-sync. */
    public int batchesThisCycle(@Header(Headers.PENDING_CHANGES) long pending) {
        long batches = (pending + maxChangesPerBatch - 1) / maxChangesPerBatch;
        return (int) Math.min(batches, maxBatchesPerSync);
    }

    /**
     * Numbers the next batch of the module and claims up to max-changes-per-batch unclaimed changes into it,
     * in one transaction. Returns the batch number, or null when nothing was pending.
     */
    public Long claimNextBatch(@Header(Headers.MODULE) String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            // one snapshot for both statements: the rows counted are exactly the rows claimed
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long batch = lastBatch(conn, module) + 1;
                Long upTo = claimLimit(conn, module);
                if (upTo == null) {
                    conn.rollback();
                    return null;
                }
                int claimed;
                // a plain range, not "id IN (subquery)": that plan degrades badly on a table whose statistics
                // were gathered while it was small
                try (PreparedStatement ps = conn.prepareStatement(
                        "UPDATE pp_change SET batch = ? WHERE module = ? AND batch IS NULL AND id <= ?")) {
                    ps.setLong(1, batch);
                    ps.setString(2, module);
                    ps.setLong(3, upTo);
                    claimed = ps.executeUpdate();
                }
                try (PreparedStatement ps = conn.prepareStatement(
                        "UPDATE pp_export SET last_batch = ? WHERE module = ? AND last_batch = ?")) {
                    ps.setLong(1, batch);
                    ps.setString(2, module);
                    ps.setLong(3, batch - 1);
                    if (ps.executeUpdate() != 1) {
                        throw new SQLException("batch numbering of " + module + " moved concurrently; retrying next cycle");
                    }
                }
                if (failover.inEffect()) {
                    KeyTimes.recordClaimed(conn, module, batch);
                }
                conn.commit();
                LOG.debug("{}: claimed {} changes into batch {}", module, claimed, batch);
                return batch;
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
    }

    /** The highest change id among the next max-changes-per-batch unclaimed changes, or null when none. */
    private Long claimLimit(Connection conn, String module) throws SQLException {
        // ordered as the index (module, batch, id) is, which module = ? AND batch IS NULL makes the same as by id:
        // H2 then reads the first rows of the index instead of sorting the whole backlog for every batch
        try (PreparedStatement ps = conn.prepareStatement("SELECT MAX(id) FROM (SELECT id FROM pp_change WHERE module = ?"
                + " AND batch IS NULL ORDER BY module, batch, id LIMIT ?) next_changes")) {
            ps.setString(1, module);
            ps.setInt(2, maxChangesPerBatch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long max = rs.getLong(1);
                return rs.wasNull() ? null : max;
            }
        }
    }

    private static long lastBatch(Connection conn, String module) throws SQLException {
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
}
