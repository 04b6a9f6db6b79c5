package io.poolpair.exporter;

import io.poolpair.Headers;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims captured changes into numbered batches ({@code state/ChangeLog.claim}), never by a change-id watermark:
 * a transaction that commits late, holding a lower change id than one already exported, is claimed by a later batch.
 */
public final class ChangeCapture {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeCapture.class);
    private static final int CLAIM_ATTEMPTS = 5;

    private final DataSource dataSource;
    private final int maxBatchesPerSync;
    private final int maxChangesPerBatch;
    private final FailoverSeam failover;

    public ChangeCapture(DataSource dataSource, int maxBatchesPerSync, int maxChangesPerBatch, FailoverSeam failover) {
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
        for (int attempt = 1; ; attempt++) {
            try {
                return claimOnce(module);
            } catch (SQLException e) {
                if (attempt == CLAIM_ATTEMPTS || !serializationFailure(e)) {
                    throw e;
                }
                LOG.debug("{}: claim met a concurrent update of its pp_export row (attempt {}), claiming again", module, attempt);
            }
        }
    }

    /**
     * A repeatable-read transaction that meets a row another transaction updated after its snapshot fails on
     * PostgreSQL ({@code 40001}) and H2 ({@code 90131}): here the acknowledge route recording the peer's cookie in the
     * same {@code pp_export} row. Nothing of the claim committed, so it is simply claimed again.
     */
    private static boolean serializationFailure(SQLException e) {
        return "40001".equals(e.getSQLState()) || e.getErrorCode() == 90131;
    }

    private Long claimOnce(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            // one snapshot for both statements: the rows counted are exactly the rows claimed
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long batch = ExportState.lockLastBatch(conn, module) + 1;
                Integer claimed = ChangeLog.claim(conn, module, batch, maxChangesPerBatch);
                if (claimed == null) {
                    conn.commit(); // what the claim learnt of transactions that ended without a change to claim
                    return null;
                }
                ExportState.advanceLastBatch(conn, module, batch);
                failover.changesClaimed(conn, module, batch);
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
}
