package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's claim: a batch is a range of {@code pp_change} in {@code (xact, id)} order, recorded in one
 * {@code pp_claim} row, instead of its number written into each change it claims (a second write of every change and
 * its index entries, the costliest statement of a large delta).
 *
 * <p>Invariant 2 (a change that commits late is still exported) rests on transaction ids, not change ids. Each change
 * carries its writer's transaction id ({@code xact}, assigned before the change's own id). A claim reads, in its
 * snapshot, the changes after the previous batch's end; the transactions of that snapshot still in flight below the
 * new end ({@code pg_snapshot_xip}) are the only ones that can still add a change inside the claimed range, so they
 * are excluded from it and kept in {@code in_flight}; a later claim takes every change of each once its snapshot shows
 * it finished. A transaction that takes its id after the snapshot (one that began earlier but had not written yet
 * included) gets a higher id than every transaction the range holds, so its changes fall after the range. Nothing
 * waits for open transactions: a claim takes whatever has committed.
 *
 * <p>The claims of batches up to B are then every change at or below B's end whose transaction is not in B's
 * {@code in_flight}; a batch's own changes are the difference from the batch before. Changes claimed the old way (the
 * {@code batch} column, before {@code xact} existed) keep their number and are read and purged by it.
 *
 * <p>One class over 300 lines because every statement on {@code pp_claim} and every range condition over
 * {@code pp_change} is here: the claim, the purge and the readers must agree on one definition of a batch's changes.
 */
final class ChangeRanges {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeRanges.class);

    /** The start of the ranges: below every change (changes not claimed at the upgrade have xact 1). */
    private static final Claim NONE = new Claim(0, 0, 0, 0, 0, List.of(), List.of(), List.of(), 0);

    /** Changes not claimed by the batches up to a claim: bind with {@link #bindAfter}. */
    static final String UNCLAIMED = "batch IS NULL AND (module = ? AND (xact, id) > (?::xid8, ?) OR module = ? AND xact = ANY (?::xid8[]))";

    /** Whether any change is not claimed yet, {@link #UNCLAIMED} as two probes that stop at the first (bound as it). */
    static final String ANY_UNCLAIMED = "SELECT 1 FROM (SELECT 1 FROM pp_change WHERE module = ? AND (xact, id) > (?::xid8, ?)"
            + " AND batch IS NULL ORDER BY module, xact, id LIMIT 1) after_last_claim UNION ALL SELECT 1 FROM (SELECT 1 FROM"
            + " pp_change WHERE module = ? AND xact = ANY (?::xid8[]) AND batch IS NULL LIMIT 1) committed_since LIMIT 1";

    /** One batch's claim: its range (after {@code from}, up to {@code to}) and the transactions it left out or took. */
    record Claim(long batch, long fromXact, long fromId, long toXact, long toId, List<Long> excluded, List<Long> included,
                 List<Long> inFlight, long cluster) {

        /** True when change (xact, id) is claimed by this batch or an earlier one. */
        boolean claims(long xact, long id) {
            return (xact < toXact || xact == toXact && id <= toId) && !inFlight.contains(xact);
        }
    }

    private ChangeRanges() {
    }

    /** True on a PostgreSQL store, which claims by ranges; H2 marks each claimed change. */
    static boolean apply(Connection conn) throws SQLException {
        return conn.getMetaData().getURL().startsWith("jdbc:postgresql:");
    }

    /** The claim of the module's highest batch (the end of the ranges), or the start when there is none. */
    static Claim latest(Connection conn, String module) throws SQLException {
        return read(conn, "SELECT * FROM pp_claim WHERE module = ? ORDER BY batch DESC LIMIT 1", module);
    }

    /** The claim of the highest batch up to {@code batch}, or the start when there is none. */
    static Claim latestUpTo(Connection conn, String module, long batch) throws SQLException {
        return read(conn, "SELECT * FROM pp_claim WHERE module = ? AND batch <= ? ORDER BY batch DESC LIMIT 1", module, batch);
    }

    /** The claim of {@code batch}, or null when it has none (claimed before the ranges, or a snapshot part). */
    static Claim of(Connection conn, String module, long batch) throws SQLException {
        Claim claim = read(conn, "SELECT * FROM pp_claim WHERE module = ? AND batch = ?", module, batch);
        return claim == NONE ? null : claim;
    }

    private static Claim read(Connection conn, String sql, String module, Long... batches) throws SQLException {
        List<Claim> claims = readAll(conn, sql, module, batches);
        return claims.isEmpty() ? NONE : claims.get(0);
    }

    /** The claims of the batches after {@code after} up to {@code upTo}, in order. */
    private static List<Claim> claims(Connection conn, String module, long after, long upTo) throws SQLException {
        return readAll(conn, "SELECT * FROM pp_claim WHERE module = ? AND batch > ? AND batch <= ? ORDER BY batch", module,
                after, upTo);
    }

    private static List<Claim> readAll(Connection conn, String sql, String module, Long... batches) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, module);
            for (int i = 0; i < batches.length; i++) {
                ps.setLong(i + 2, batches[i]);
            }
            List<Claim> claims = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claims.add(new Claim(rs.getLong("batch"), rs.getLong("from_xact"), rs.getLong("from_id"),
                            rs.getLong("to_xact"), rs.getLong("to_id"), ids(rs.getString("excluded")),
                            ids(rs.getString("included")), ids(rs.getString("in_flight")), rs.getLong("cluster")));
                }
            }
            return claims;
        }
    }

    /** Binds {@link #UNCLAIMED} for the batches up to {@code claim} from {@code index}; returns the next index. */
    static int bindAfter(PreparedStatement ps, int index, String module, Claim claim) throws SQLException {
        ps.setString(index, module);
        xid(ps, index + 1, claim.toXact());
        ps.setLong(index + 2, claim.toId());
        ps.setString(index + 3, module);
        ps.setString(index + 4, array(claim.inFlight()));
        return index + 5;
    }

    /** The changes of one batch: its range without the transactions it excluded, and every change of those it took. */
    // module = ? and a row comparison of (xact, id), not of (module, xact, id): PostgreSQL then starts the index scan
    // at the bound; with module = ? beside a comparison of the whole row it walked the module's entries from the first.
    // The plain xact BETWEEN repeats the bounds for the planner, which estimates a row comparison by its first column
    // alone and the two bounds apart: once the statistics covered the backlog it guessed a quarter of the table and read
    // all of it for each batch (300-450 ms at 1,000,000)
    private static final String MEMBER = "(module = ? AND xact BETWEEN ?::xid8 AND ?::xid8 AND (xact, id) > (?::xid8, ?)"
            + " AND (xact, id) <= (?::xid8, ?) AND xact <> ALL (?::xid8[]) OR module = ? AND xact = ANY (?::xid8[]))";

    /** The condition selecting the changes of {@code batch} (its claim, or the batch column for the old way). */
    static String memberOf(Claim claim) {
        return claim == null ? "(module = ? AND batch = ?)" : "(" + MEMBER + " OR module = ? AND batch = ?)";
    }

    /** Binds {@link #memberOf} from {@code index}; returns the next index. */
    static int bindMember(PreparedStatement ps, int index, String module, long batch, Claim claim) throws SQLException {
        if (claim != null) {
            index = bindClaimed(ps, index, module, claim);
        }
        ps.setString(index++, module);
        ps.setLong(index++, batch);
        return index;
    }

    /** Binds {@link #MEMBER} for {@code claim} from {@code index}; returns the next index. */
    private static int bindClaimed(PreparedStatement ps, int index, String module, Claim claim) throws SQLException {
        ps.setString(index++, module);
        xid(ps, index++, claim.fromXact());
        xid(ps, index++, claim.toXact());
        xid(ps, index++, claim.fromXact());
        ps.setLong(index++, claim.fromId());
        xid(ps, index++, claim.toXact());
        ps.setLong(index++, claim.toId());
        ps.setString(index++, array(claim.excluded()));
        ps.setString(index++, module);
        ps.setString(index++, array(claim.included()));
        return index;
    }

    /**
     * Claims the next changes of the module into {@code batch} (in the claiming repeatable-read transaction, after the
     * module's pp_export row is locked): up to {@code max} after the last batch's end, and every change of the
     * transactions it left in flight that have finished since. Returns how many, or null when there was none.
     */
    static Integer claim(Connection conn, String module, long batch, int max) throws SQLException {
        Claim last = latest(conn, module);
        long cluster;
        List<Long> inSnapshot;
        List<Long> finished;
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.system_identifier, ARRAY(SELECT pg_snapshot_xip(s)),"
                + " ARRAY(SELECT g FROM unnest(?::xid8[]) g WHERE pg_visible_in_snapshot(g, s))"
                + " FROM pg_control_system() c, pg_current_snapshot() s")) {
            ps.setString(1, array(last.inFlight()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                cluster = rs.getLong(1);
                inSnapshot = ids(rs.getString(2));
                finished = ids(rs.getString(3));
            }
        }
        if (last != NONE && last.cluster() != cluster) {
            // restored into another cluster (pg_dump, then a restore): its transaction ids start again below the ranges,
            // so the ranges start again too; changes claimed into batches not yet acknowledged are sent once more
            LOG.warn("{}: this store's PostgreSQL cluster changed (system identifier {}, was {}); claiming every change"
                    + " still held again from the start", module, cluster, last.cluster());
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_claim WHERE module = ?")) {
                ps.setString(1, module);
                ps.executeUpdate();
            }
            last = NONE;
            finished = List.of();
        }
        long count = 0;
        long toXact = last.toXact();
        long toId = last.toId();
        indexOrderOnly(conn, true);
        try (PreparedStatement ps = conn.prepareStatement("SELECT xact, id, COUNT(*) OVER () FROM (SELECT xact, id FROM"
                + " pp_change WHERE module = ? AND (xact, id) > (?::xid8, ?) ORDER BY module, xact, id LIMIT ?) next_changes"
                + " ORDER BY xact DESC, id DESC LIMIT 1")) {
            ps.setString(1, module);
            xid(ps, 2, last.toXact());
            ps.setLong(3, last.toId());
            ps.setInt(4, max);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    toXact = rs.getLong(1);
                    toId = rs.getLong(2);
                    count = rs.getLong(3);
                }
            }
        } finally {
            indexOrderOnly(conn, false);
        }
        List<Long> included = new ArrayList<>();
        if (!finished.isEmpty()) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT xact, COUNT(*) FROM pp_change WHERE module = ?"
                    + " AND xact = ANY (?::xid8[]) GROUP BY xact")) {
                ps.setString(1, module);
                ps.setString(2, array(finished));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        included.add(rs.getLong(1));
                        count += rs.getLong(2);
                    }
                }
            }
        }
        Set<Long> inFlight = new LinkedHashSet<>(last.inFlight());
        inFlight.removeAll(finished); // those without changes of this module are simply forgotten
        long lastEnd = last.toXact();
        long end = toXact;
        List<Long> excluded = inSnapshot.stream().filter(x -> x > lastEnd && x < end).toList();
        inFlight.addAll(excluded);
        if (count == 0) {
            if (last != NONE && inFlight.size() != last.inFlight().size()) {
                forgetFinished(conn, module, last.batch(), List.copyOf(inFlight));
            }
            return null;
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_claim (module, batch, from_xact, from_id, to_xact,"
                + " to_id, excluded, included, in_flight, cluster) VALUES (?, ?, ?::xid8, ?, ?::xid8, ?, ?::xid8[], ?::xid8[],"
                + " ?::xid8[], ?)")) {
            ps.setString(1, module);
            ps.setLong(2, batch);
            xid(ps, 3, last.toXact());
            ps.setLong(4, last.toId());
            xid(ps, 5, toXact);
            ps.setLong(6, toId);
            ps.setString(7, array(excluded));
            ps.setString(8, array(included));
            ps.setString(9, array(List.copyOf(inFlight)));
            ps.setLong(10, cluster);
            ps.executeUpdate();
        }
        return (int) count;
    }

    /**
     * Makes the statements that follow, in the caller's transaction, read pp_change in its index's order ({@code on}),
     * or plan freely again. The claim's "next {@code max} changes after the last batch's end" lies above every
     * transaction id the statistics have seen (they only grow), so PostgreSQL estimated one row and chose to collect
     * and sort every pending change before taking the first {@code max}: 150-580 ms a claim in a 1,000,000-change
     * backlog, falling as the backlog shrank, against 3-15 ms walking the index from the bound. JIT compilation goes
     * off with them: a plan type turned off adds a fixed 10^10 to the cost of the plans that still use it (the claim's
     * sort of its one row), far above {@code jit_above_cost}, so PostgreSQL compiled and optimised the claim each
     * time: 30-90 ms of compilation for about 10 ms of work.
     */
    static void indexOrderOnly(Connection conn, boolean on) throws SQLException {
        try (var st = conn.createStatement()) {
            st.execute(on ? "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off"
                    : "SET LOCAL enable_sort TO DEFAULT; SET LOCAL enable_bitmapscan TO DEFAULT; SET LOCAL jit TO DEFAULT");
        }
    }

    /** Drops finished transactions that wrote nothing to the module from the last claim's in-flight list. */
    private static void forgetFinished(Connection conn, String module, long batch, List<Long> inFlight) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE pp_claim SET in_flight = ?::xid8[] WHERE module = ? AND batch = ?")) {
            ps.setString(1, array(inFlight));
            ps.setString(2, module);
            ps.setLong(3, batch);
            ps.executeUpdate();
        }
    }

    /**
     * Deletes the changes of the batches after {@code purged} up to {@code acked}, claimed either way, and the claims
     * no longer needed (the highest one stays: the next claim starts at its end). Returns how many changes.
     */
    static int purge(Connection conn, String module, long purged, long acked) throws SQLException {
        int deleted = 0;
        for (Claim claim : claims(conn, module, purged, acked)) {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_change WHERE " + MEMBER)) {
                bindClaimed(ps, 1, module, claim);
                deleted += ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_change WHERE module = ? AND batch > ? AND batch <= ?")) {
            ps.setString(1, module);
            ps.setLong(2, purged);
            ps.setLong(3, acked);
            deleted += ps.executeUpdate();
        }
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_claim WHERE module = ? AND batch <= ?"
                + " AND batch < (SELECT MAX(batch) FROM pp_claim WHERE module = ?)")) {
            ps.setString(1, module);
            ps.setLong(2, acked);
            ps.setString(3, module);
            ps.executeUpdate();
        }
        return deleted;
    }

    /** Forgets every claim (a new incarnation numbers every change still held again); the caller unclaims the rest. */
    static void forgetAll(Connection conn) throws SQLException {
        try (var st = conn.createStatement()) {
            st.executeUpdate("DELETE FROM pp_claim");
            st.executeUpdate("UPDATE pp_change SET batch = NULL, xact = COALESCE(xact, '1') WHERE batch IS NOT NULL");
        }
    }

    /** Binds a transaction id: PostgreSQL casts text to xid8, not a bigint. */
    private static void xid(PreparedStatement ps, int index, long xact) throws SQLException {
        ps.setString(index, Long.toString(xact));
    }

    private static List<Long> ids(String array) {
        String inner = array.substring(1, array.length() - 1);
        if (inner.isEmpty()) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>();
        for (String id : inner.split(",")) {
            ids.add(Long.parseLong(id));
        }
        return ids;
    }

    private static String array(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
