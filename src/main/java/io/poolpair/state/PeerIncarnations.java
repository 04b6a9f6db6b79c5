package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer's incarnations as this pool has seen them in its batches and cookies ({@code pp_peer_incarnation}).
 * The first one seen is the peer's; a different one later means the peer was lost and rebuilt, or restored from
 * an older backup: this pool then owes it a restore snapshot of every module (requested here, in the same
 * transaction, so it cannot be forgotten), and the old incarnation is retired: its batches are no longer applied.
 */
public final class PeerIncarnations {

    private static final Logger LOG = LoggerFactory.getLogger(PeerIncarnations.class);

    /** What an incarnation named by the peer is to this pool. */
    public enum Seen {
        /** The first incarnation of the peer this pool has heard of. */
        FIRST,
        /** The peer's incarnation as known. */
        CURRENT,
        /** A new incarnation of the peer: a restore snapshot is now owed to it. */
        NEW,
        /** An incarnation the peer has since replaced. */
        RETIRED
    }

    /**
     * Asks for a restore snapshot of every module ({@code pp_export}), and from then on caps what this pool's cookies
     * report at how far it had applied the peer's batches (the snapshot, read later, holds at least that much).
     */
    public static final String REQUEST_RESTORE = "UPDATE pp_export SET restore_requested = TRUE, restore_reason = ?,"
            + " restore_peer_incarnation = (SELECT i.source_incarnation FROM pp_import i WHERE i.module = pp_export.module),"
            + " restore_peer_batch = COALESCE((SELECT i.last_applied FROM pp_import i WHERE i.module = pp_export.module), 0)";

    private final DataSource dataSource;
    private final String peer;

    public PeerIncarnations(DataSource dataSource, String peer) {
        this.dataSource = dataSource;
        this.peer = peer;
    }

    /** Records that the peer spoke as {@code incarnation} (in a batch or a cookie) and says what that is. */
    public synchronized Seen observe(String incarnation, String where) throws SQLException {
        if (incarnation == null || incarnation.isBlank()) {
            throw new SQLException("the peer's " + where + " names no incarnation");
        }
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                Seen seen = observe(conn, incarnation, where);
                conn.commit();
                return seen;
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            }
        }
    }

    private Seen observe(Connection conn, String incarnation, String where) throws SQLException {
        Optional<String> current = Optional.empty();
        boolean retired = false;
        try (PreparedStatement ps = conn.prepareStatement("SELECT incarnation, retired_at FROM pp_peer_incarnation"
                + " WHERE pool = ?")) {
            ps.setString(1, peer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getTimestamp(2) == null) {
                        current = Optional.of(rs.getString(1));
                    } else if (rs.getString(1).equals(incarnation)) {
                        retired = true;
                    }
                }
            }
        }
        if (current.isPresent() && current.get().equals(incarnation)) {
            return Seen.CURRENT;
        }
        if (retired) {
            return Seen.RETIRED;
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (current.isPresent()) {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_peer_incarnation SET retired_at = ? WHERE pool = ?"
                    + " AND retired_at IS NULL")) {
                ps.setTimestamp(1, now);
                ps.setString(2, peer);
                ps.executeUpdate();
            }
            String reason = peer + " is a new incarnation " + incarnation + " (was " + current.get() + ", seen in its "
                    + where + "): it was rebuilt or restored from an older backup, so it is sent a restore snapshot of"
                    + " everything this pool holds";
            try (PreparedStatement ps = conn.prepareStatement(REQUEST_RESTORE)) {
                ps.setString(1, reason);
                ps.executeUpdate();
            }
            LOG.warn(reason);
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_peer_incarnation (pool, incarnation, first_seen_at)"
                + " VALUES (?, ?, ?)")) {
            ps.setString(1, peer);
            ps.setString(2, incarnation);
            ps.setTimestamp(3, now);
            ps.executeUpdate();
        }
        return current.isPresent() ? Seen.NEW : Seen.FIRST;
    }

    /** The peer's incarnation as last seen, if it was ever seen. */
    public Optional<String> current() throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT incarnation FROM pp_peer_incarnation WHERE pool = ? AND retired_at IS NULL")) {
            ps.setString(1, peer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
