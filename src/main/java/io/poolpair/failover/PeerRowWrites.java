package io.poolpair.failover;

import io.poolpair.state.ExportState;
import io.poolpair.state.FailoverState;
import io.poolpair.config.PoolConfig;
import io.poolpair.store.TableInfo;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flags writes made on this pool to rows homed on the peer while this pool does not act for it (before a
 * failover, or after the failback handed the rows back): they still travel to the peer, but each staged batch
 * that carries such rows adds them to {@code pp_export.peer_row_writes} and names the last one, for status.
 */
public final class PeerRowWrites {

    private static final Logger LOG = LoggerFactory.getLogger(PeerRowWrites.class);

    private final PoolConfig config;
    private final DataSource dataSource;
    private final FailoverState failover;

    public PeerRowWrites(PoolConfig config, DataSource dataSource, FailoverState failover) {
        this.config = config;
        this.dataSource = dataSource;
        this.failover = failover;
    }

    /** The owner column of the table, when its module names one and the table has it. */
    public Optional<String> ownerColumn(TableInfo table) {
        return config.module(table.module()).ownerColumn().flatMap(table::column).map(c -> c.name());
    }

    /** True when every row of the table is the peer's: its module names the peer as owner-pool. */
    public boolean tableHomedOnPeer(TableInfo table) {
        return config.module(table.module()).ownedByOtherThan(config.pool());
    }

    /** True when the owner value names the peer. */
    public boolean homedOnPeer(String owner) {
        return config.peer().equals(owner);
    }

    /** Writes to the peer's rows are flagged unless this pool acts for the peer. */
    public boolean flagging() throws SQLException {
        return !failover.actingForPeer();
    }

    /** Adds {@code count} flagged rows of a staged batch; {@code last} names the last one. */
    public void record(String module, long batch, long count, String last) throws SQLException {
        if (count == 0) {
            return;
        }
        String what = last + " in batch " + batch + " at " + Instant.now();
        new ExportState(dataSource).recordPeerRowWrites(module, count, what);
        LOG.warn("{}: {} row(s) homed on {} were written on {}, which does not act for {} (last: {})", module, count,
                config.peer(), config.pool(), config.peer(), last);
    }
}
