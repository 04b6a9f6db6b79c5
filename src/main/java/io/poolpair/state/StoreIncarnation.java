package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This store's incarnation ({@code pp_store}): the identity of its history (DESIGN.md, invariant 7). Made when
 * poolpair's tables are first created in a store, so a pool rebuilt on an empty database is a new incarnation
 * whatever its name; renewed when the store turns out to have gone back in time (restored from an older backup,
 * which keeps the id it had when the backup was taken). Every manifest, cookie and notice carries it.
 */
public final class StoreIncarnation {

    private static final Logger LOG = LoggerFactory.getLogger(StoreIncarnation.class);

    /** The incarnation, when it began, the one it replaced (null for a store's first) and why. */
    public record Info(String incarnation, Instant createdAt, String replaced, String reason) {
    }

    private final DataSource dataSource;

    public StoreIncarnation(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Gives a store its first incarnation; called once poolpair's tables exist, does nothing when it has one. */
    public static void ensure(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_store SET resumed_from ="
                + " (SELECT MAX(last_export_at) FROM pp_export) WHERE id = 1")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_store (id, incarnation, created_at) SELECT 1, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM pp_store WHERE id = 1)")) {
            ps.setString(1, newId());
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            if (ps.executeUpdate() == 1) {
                LOG.info("this store is a new incarnation: poolpair's tables were just created");
            }
        }
    }

    public Info info() throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            return info(conn);
        }
    }

    /** This store's incarnation, or empty before poolpair's tables were created (a command before the first start). */
    public java.util.Optional<Info> infoIfCreated() throws SQLException {
        if (!StateTables.exist(dataSource, "pp_store")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(info());
    }

    public static Info info(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT incarnation, created_at, replaced, reason FROM pp_store"
                + " WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("pp_store holds no incarnation: start the service once to prepare the store");
            }
            return new Info(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4));
        }
    }

    public String current() throws SQLException {
        return info().incarnation();
    }

    /**
     * Asks for a new incarnation at the next export cycle (which alone numbers batches, so no batch of the old
     * incarnation is staged after the renewal); does nothing when the store is no longer {@code expected}.
     */
    public void requestRenewal(String expected, String reason) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_store SET renew_reason = ? WHERE id = 1 AND incarnation = ? AND renew_reason IS NULL")) {
            ps.setString(1, reason);
            ps.setString(2, expected);
            if (ps.executeUpdate() == 1) {
                LOG.error("{}; this store starts a new incarnation at its next export cycle", reason);
            }
        }
    }

    /** Renews the incarnation when {@link #requestRenewal} asked for it; returns whether it did. */
    public boolean renewIfRequested() throws SQLException {
        Info info;
        String reason;
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT renew_reason FROM pp_store WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
            reason = rs.next() ? rs.getString(1) : null;
            info = reason == null ? null : info(conn);
        }
        if (reason == null) {
            return false;
        }
        renew(info.incarnation(), reason);
        return true;
    }

    /**
     * The store went back in time: it starts a new incarnation, its batch numbering starts again at 1 and the
     * changes captured since the service started again are exported again under the new incarnation (the peer
     * applied the old numbers with other contents). Staged zips of the old incarnation are the caller's to delete. Returns the new incarnation.
     */
    String renew(String expected, String reason) throws SQLException {
        String fresh = newId();
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            try {
                try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_store SET incarnation = ?, created_at = ?,"
                        + " replaced = incarnation, reason = ?, renew_reason = NULL WHERE id = 1 AND incarnation = ?")) {
                    ps.setString(1, fresh);
                    ps.setTimestamp(2, Timestamp.from(Instant.now()));
                    ps.setString(3, reason);
                    ps.setString(4, expected);
                    if (ps.executeUpdate() != 1) {
                        conn.rollback();
                        return info(conn).incarnation(); // renewed already (by another thread of this service)
                    }
                }
                ExportState.restartNumbering(conn);
                // changes captured before the last export cycle this store knew of when the service started again: the
                // peer had them (they were exported in the history this store lost), and may hold newer writes of their
                // keys since, which a re-export would overwrite with what this store went back to
                ChangeLog.resetAfterGoingBack(conn);
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            }
        }
        LOG.error("this store is now incarnation {} (was {}): {}", fresh, expected, reason);
        return fresh;
    }

    /**
     * The failover notices' replay guard: raises the highest sequence of a notice from the peer accepted here to
     * {@code sequence} and returns true, or returns false when a higher one was accepted before.
     */
    public boolean admitPeerNotice(long sequence) {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "UPDATE pp_store SET peer_notice_sequence = ? WHERE id = 1 AND peer_notice_sequence <= ?")) {
            ps.setLong(1, sequence);
            ps.setLong(2, sequence);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the failover notice's sequence in pp_store: " + e.getMessage(), e);
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }
}
