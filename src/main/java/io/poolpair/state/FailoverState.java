package io.poolpair.state;

import io.poolpair.config.PoolConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disaster recovery between the two pools, as this pool sees it ({@code pp_failover} and the notice in its
 * share): this pool acting for its failed peer ({@code Acting}), sending the peer what it missed before
 * handing its rows back ({@code FailingBack}), done ({@code HandedBack}); or, on the failed pool, its peer
 * acting for it (superseded: writes here are split-brain writes until the failback).
 */
public final class FailoverState {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverState.class);

    /** Where this pool stands towards its peer's rows. */
    public enum State { Acting, FailingBack, HandedBack }

    /** The failover of the peer as recorded on this pool. */
    public record Failover(String failedPool, State state, Instant since, Instant failbackStartedAt,
                           Instant handedBackAt, long splitBrainBatches, Instant splitBrainAt) {

        /** Acting for the peer: its rows are this pool's to write until they are handed back. */
        public boolean inEffect() {
            return state == State.Acting || state == State.FailingBack;
        }
    }

    /**
     * The signed failover notice in the shares (failover/FailoverNotice, above this package): the one this pool writes
     * into the peer's share, and the one the peer wrote into this pool's share while it acts for this pool.
     */
    public interface Notice {
        /** Path of the notice this pool writes, relative to the peer's share root. */
        String peerFileName();

        /** The signed notice: this pool acts for the peer since {@code since}, or ({@code acting} false) handed it back. */
        byte[] build(boolean acting, Instant since, String incarnation);

        /** The moment the peer started acting for this pool, while a valid notice of it lies in this pool's share. */
        Optional<Instant> peerActingSince();
    }

    private final DataSource dataSource;
    private final String pool;
    private final String peer;
    private final Notice notice;
    private final StoreIncarnation incarnation;

    public FailoverState(PoolConfig config, DataSource dataSource, Notice notice) {
        this.incarnation = new StoreIncarnation(dataSource);
        this.dataSource = dataSource;
        this.pool = config.pool();
        this.peer = config.peer();
        this.notice = notice;
    }

    public String pool() {
        return pool;
    }

    public String peer() {
        return peer;
    }

    /** False before poolpair's tables exist here (a command before the first start): there is nothing to read. */
    public boolean recorded() throws SQLException {
        return StateTables.exist(dataSource, "pp_failover");
    }

    /** This pool's failover of its peer, if one was ever started. */
    public Optional<Failover> ofPeer() throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT state, since, failback_started_at, handed_back_at, split_brain_batches, split_brain_at"
                        + " FROM pp_failover WHERE failed_pool = ?")) {
            ps.setString(1, peer);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Failover(peer, State.valueOf(rs.getString(1)), instant(rs.getTimestamp(2)),
                        instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)), rs.getLong(5), instant(rs.getTimestamp(6))));
            }
        }
    }

    /** True while this pool acts for its peer (Acting or FailingBack). */
    public boolean actingForPeer() throws SQLException {
        return ofPeer().map(Failover::inEffect).orElse(false);
    }

    /** The moment the peer started acting for this pool, while its notice lies in this pool's share. */
    public Optional<Instant> supersededSince() {
        return notice.peerActingSince();
    }

    /**
     * True while a failover is in effect on either side: writes are then stamped with their time, so that a
     * key written on both pools keeps its newest write.
     */
    public boolean inEffect() throws SQLException {
        return actingForPeer() || supersededSince().isPresent();
    }

    /** When the failover in effect here began: acting for the peer since, else superseded by it since. */
    public Optional<Instant> inEffectSince() throws SQLException {
        Optional<Failover> acting = ofPeer().filter(Failover::inEffect);
        return acting.isPresent() ? Optional.of(acting.get().since()) : supersededSince();
    }

    /** {@code failover}: this pool takes over the peer's rows. Starting it again keeps the first start time. */
    public Failover begin() throws SQLException {
        Optional<Failover> current = ofPeer();
        if (current.isPresent() && current.get().state() == State.Acting) {
            return current.get();
        }
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try (PreparedStatement del = conn.prepareStatement("DELETE FROM pp_failover WHERE failed_pool = ?");
                 PreparedStatement ins = conn.prepareStatement("INSERT INTO pp_failover (failed_pool, state, since)"
                         + " VALUES (?, ?, ?)")) {
                del.setString(1, peer);
                del.executeUpdate();
                FailoverKeys.clear(conn);
                ins.setString(1, peer);
                ins.setString(2, State.Acting.name());
                ins.setTimestamp(3, Timestamp.from(Instant.now()));
                ins.executeUpdate();
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            }
        }
        LOG.warn("failover: {} now acts for {}; writes to {}'s rows are queued for it", pool, peer, peer);
        return ofPeer().orElseThrow();
    }

    /** {@code failback}, first step: the peer is back and receives what it missed. */
    public Failover startFailback() throws SQLException {
        Failover current = ofPeer().filter(Failover::inEffect).orElseThrow(() -> new IllegalStateException(
                pool + " is not acting for " + peer + " (run failover first)"));
        if (current.state() == State.Acting) {
            update("UPDATE pp_failover SET state = ?, failback_started_at = ? WHERE failed_pool = ?",
                    State.FailingBack.name(), Timestamp.from(Instant.now()), peer);
            LOG.warn("failback: {} sends {} everything it missed, then hands its rows back", pool, peer);
        }
        return ofPeer().orElseThrow();
    }

    /** {@code failback}, last step: the peer applied everything; its rows are its own again. */
    public Failover handBack() throws SQLException {
        update("UPDATE pp_failover SET state = ?, handed_back_at = ? WHERE failed_pool = ?", State.HandedBack.name(),
                Timestamp.from(Instant.now()), peer);
        LOG.warn("failback: {}'s rows are handed back; further writes to them on {} are flagged", peer, pool);
        return ofPeer().orElseThrow();
    }

    /**
     * Export-cycle step: the notice to write into the peer's share, or null when no failover was ever started. It
     * says "acting" while this pool acts for the peer and "handed back" after the failback, and is written through the
     * peer share's endpoint ({@code CamelFileName} set here); a peer share that is down (the usual case during a
     * failover) does not stop the cycle: the changes are still staged, and the notice follows at a cycle that reaches
     * the share.
     */
    public byte[] noticeToWrite(Exchange exchange) throws SQLException {
        Optional<Failover> failover = ofPeer();
        if (failover.isEmpty()) {
            return null;
        }
        exchange.getMessage().setHeader(Exchange.FILE_NAME, notice.peerFileName());
        return notice.build(failover.get().inEffect(), failover.get().since(), incarnation.current());
    }

    /** A batch the peer created while this pool acted for it: the peer's users were served on both pools. */
    public void recordSplitBrain(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_failover SET split_brain_batches ="
                + " split_brain_batches + 1, split_brain_at = ? WHERE failed_pool = ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now()));
            ps.setString(2, peer);
            ps.executeUpdate();
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

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
