package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.batch.Manifest;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.FailoverState;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The one place failover enters the pipeline: everything the exporter ({@code ChangeCapture}, {@code BatchWriter},
 * {@code FullSnapshot}) and the importer ({@code BatchApplier}, {@code PendingKeys}) ask about a failover, whether one
 * is in effect or not. The pipeline knows this class (and the {@link ConflictCheck} it hands out for one batch);
 * the failover's state, its key times and the flagging of writes to the peer's rows stay behind it.
 */
public final class FailoverSeam {

    private final PoolConfig config;
    private final FailoverState failover;
    private final PeerRowWrites peerRows;

    public FailoverSeam(PoolConfig config, DataSource dataSource, FailoverState failover) {
        this.config = config;
        this.failover = failover;
        this.peerRows = new PeerRowWrites(config, dataSource, failover);
    }

    // ---------------------------------------------------------------- export

    /**
     * In the claiming transaction of {@code batch}: while a failover is in effect, records its keys with the time of
     * their latest write, so the conflict check of either pool can tell the newest write.
     */
    public void changesClaimed(Connection conn, String module, long batch) throws SQLException {
        if (failover.inEffect()) {
            KeyTimes.recordClaimed(conn, module, batch);
        }
    }

    /** A restore owed to the peer waits while this pool acts for it and has not started to fail back. */
    public boolean restoreHeldBack() throws SQLException {
        return failover.ofPeer().map(f -> f.state() == FailoverState.State.Acting).orElse(false);
    }

    /** The owner column of the table, when its module names one and the table has it. */
    public Optional<String> ownerColumn(TableInfo table) {
        return peerRows.ownerColumn(table);
    }

    /** Whether a row's owner value names the peer. */
    public boolean homedOnPeer(String owner) {
        return peerRows.homedOnPeer(owner);
    }

    /** Whether every row of a table without an owner column is the peer's: its module names the peer as owner-pool. */
    public boolean tableHomedOnPeer(TableInfo table) {
        return peerRows.tableHomedOnPeer(table);
    }

    /**
     * Once a batch is staged: counts the rows homed on the peer it carries (written here while this pool does not act
     * for the peer), for status and the log. Nothing is recorded while this pool acts for the peer.
     */
    public void stagedPeerRows(String module, long batch, long count, String last) throws SQLException {
        if (peerRows.flagging()) {
            peerRows.record(module, batch, count, last);
        }
    }

    /** The one form of a captured key ({@code ["a","b"]}), whatever database captured it. */
    public static String normalKey(String keyJson) {
        return KeyTimes.normalize(keyJson);
    }

    // ---------------------------------------------------------------- import

    /**
     * The conflict check of one delta batch, in its applying transaction, or null when none is needed: a key written on
     * both pools (outside or during a failover) keeps its newest write on both. A full sync or restore has none.
     */
    public ConflictCheck conflictCheck(Connection conn, Dialect dialect, Manifest manifest, boolean full)
            throws SQLException {
        if (full) {
            return null;
        }
        Optional<Instant> since = failover.inEffectSince();
        if ((manifest.keyTimes() == null && since.isEmpty()) || !ConflictCheck.needed(conn, manifest.module(), since)) {
            return null;
        }
        return new ConflictCheck(conn, dialect, manifest, config.pool(), config.peer(), since);
    }

    /** A change the peer made after this pool started acting for it: its users were served on both pools. */
    public boolean splitBrain(Manifest manifest) throws SQLException {
        var acting = failover.ofPeer().filter(FailoverState.Failover::inEffect);
        return acting.isPresent() && manifest.changes() > 0 && Instant.parse(manifest.createdAt()).isAfter(acting.get().since());
    }

    /** Records a split brain in the applying transaction. */
    public void recordSplitBrain(Connection conn) throws SQLException {
        failover.recordSplitBrain(conn);
    }

    /** A row's key in the normal form of captured keys. */
    public static String keyOf(TableInfo table, JsonNode row) {
        return ConflictCheck.keyOf(table, row);
    }
}
