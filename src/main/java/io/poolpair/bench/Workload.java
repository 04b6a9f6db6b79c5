package io.poolpair.bench;

import io.poolpair.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The rows the bench writes: {@code user_contact} rows homed on poolA, numbered, each key
 * ({@code owner_uri}, {@code contact_uri}) derived from a tag and the row's number, so that every scenario can
 * write, change and rebuild exactly the same rows.
 */
final class Workload {

    static final String OWNER = "poolA";
    static final int COMMIT_EVERY = 10_000;
    static final int JDBC_BATCH = 500;
    static final String INSERT = "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, is_favorite,"
            + " home_pool) VALUES (?, ?, ?, ?, ?, ?)";
    static final String UPDATE = "UPDATE user_contact SET display_name = ?, is_favorite = ? WHERE owner_uri = ?"
            + " AND contact_uri = ?";

    private Workload() {
    }

    static String owner(String tag, long i) {
        return "sip:user" + (i / 50) + "." + tag + "@poolA.example.com";
    }

    static String contact(long i) {
        return "sip:contact" + i + "@example.com";
    }

    static String group(long i) {
        return "Group " + (i % 7);
    }

    /**
     * A display name with 16 hex digits that differ from row to row and version to version, so that the rows
     * do not compress better than real names would.
     */
    static String display(long i, int version) {
        return "Contact " + i + " v" + version + " " + Long.toHexString(mix(i * 1_000_003L + version)) + " of some length";
    }

    /** SplitMix64's finaliser: a fixed, well-spread 64-bit value per input. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Binds row {@code i} in the column order of {@link #INSERT}. */
    static void bindRow(PreparedStatement ps, String tag, long i, int version) throws SQLException {
        ps.setString(1, owner(tag, i));
        ps.setString(2, contact(i));
        ps.setString(3, group(i));
        ps.setString(4, display(i, version));
        ps.setBoolean(5, i % 3 == 0);
        ps.setString(6, OWNER);
    }

    /**
     * Inserts rows {@code from} (inclusive) to {@code to} (exclusive) in JDBC batches, committing every
     * {@value #COMMIT_EVERY}; {@code uncaptured} suppresses poolpair's capture as an apply does.
     */
    static void insert(Connection conn, Dialect dialect, String tag, long from, long to, boolean uncaptured)
            throws SQLException {
        write(conn, dialect, INSERT, from, to, uncaptured, (ps, i) -> bindRow(ps, tag, i, 0));
    }

    /** Updates rows {@code from} to {@code to} (exclusive) of {@code tag} to {@code version}. */
    static void update(Connection conn, Dialect dialect, String tag, long from, long to, int version, boolean uncaptured)
            throws SQLException {
        write(conn, dialect, UPDATE, from, to, uncaptured, (ps, i) -> {
            ps.setString(1, display(i, version));
            ps.setBoolean(2, (i + version) % 3 == 0);
            ps.setString(3, owner(tag, i));
            ps.setString(4, contact(i));
        });
    }

    interface Binder {
        void bind(PreparedStatement ps, long i) throws SQLException;
    }

    static void write(Connection conn, Dialect dialect, String sql, long from, long to, boolean uncaptured, Binder binder)
            throws SQLException {
        write(conn, dialect, sql, from, to, uncaptured, COMMIT_EVERY, binder);
    }

    /** Writes rows {@code from} to {@code to} (exclusive) with {@code sql}, committing every {@code commitEvery}. */
    static void write(Connection conn, Dialect dialect, String sql, long from, long to, boolean uncaptured, long commitEvery,
                      Binder binder) throws SQLException {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (uncaptured) {
                dialect.setApplying(conn, true);
            }
            for (long i = from; i < to; i++) {
                binder.bind(ps, i);
                ps.addBatch();
                long done = i - from + 1;
                if (done % JDBC_BATCH == 0) {
                    ps.executeBatch();
                }
                if (done % commitEvery == 0) {
                    conn.commit();
                    if (uncaptured) {
                        dialect.setApplying(conn, true); // PostgreSQL's flag lives for one transaction
                    }
                }
            }
            ps.executeBatch();
            conn.commit();
        } finally {
            if (uncaptured) {
                dialect.setApplying(conn, false);
                conn.commit();
            }
            conn.setAutoCommit(auto);
        }
    }

    /**
     * The fastest apply PostgreSQL offers for rows {@code from} to {@code to} (exclusive): per {@value #COMMIT_EVERY}
     * rows, COPY (text format) into a temporary table and one {@code INSERT ... SELECT ... ON CONFLICT DO UPDATE},
     * with capture suppressed, committed. The workload's values hold no character COPY must escape.
     */
    static void copyUpsert(Connection conn, Dialect dialect, String tag, long from, long to, int version)
            throws SQLException {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        org.postgresql.copy.CopyManager copy = conn.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        try (var st = conn.createStatement()) {
            for (long start = from; start < to; start += COMMIT_EVERY) {
                long end = Math.min(to, start + COMMIT_EVERY);
                dialect.setApplying(conn, true);
                st.execute("CREATE TEMPORARY TABLE raw_contact ON COMMIT DROP AS SELECT owner_uri, contact_uri, group_name,"
                        + " display_name, is_favorite, home_pool FROM user_contact WITH NO DATA");
                StringBuilder rows = new StringBuilder();
                for (long i = start; i < end; i++) {
                    rows.append(owner(tag, i)).append('\t').append(contact(i)).append('\t').append(group(i)).append('\t')
                            .append(display(i, version)).append('\t').append(i % 3 == 0 ? 't' : 'f').append('\t')
                            .append(OWNER).append('\n');
                }
                copy.copyIn("COPY raw_contact FROM STDIN", new java.io.StringReader(rows.toString()));
                st.executeUpdate("INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, is_favorite,"
                        + " home_pool) SELECT * FROM raw_contact ON CONFLICT (owner_uri, contact_uri) DO UPDATE SET"
                        + " group_name = EXCLUDED.group_name, display_name = EXCLUDED.display_name,"
                        + " is_favorite = EXCLUDED.is_favorite, home_pool = EXCLUDED.home_pool");
                conn.commit();
            }
        } catch (java.io.IOException e) {
            throw new SQLException("COPY into raw_contact failed: " + e.getMessage(), e);
        } finally {
            conn.rollback();
            conn.setAutoCommit(auto);
        }
    }

    /** Deletes every row of {@code user_contact} without capturing it (between runs), then {@link #settle}s it. */
    static void clear(Connection conn, Dialect dialect) throws SQLException {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (var st = conn.createStatement()) {
            dialect.setApplying(conn, true);
            st.executeUpdate("DELETE FROM user_contact");
            dialect.setApplying(conn, false);
            conn.commit();
        } finally {
            conn.setAutoCommit(auto);
        }
        settle(conn);
    }

    /**
     * On PostgreSQL, vacuums {@code user_contact} after the bench itself deleted or replaced its rows wholesale (between
     * runs, or by the naive full copy): otherwise autovacuum reclaims those 1,000,000 dead rows at a moment of its own
     * choosing, and when that fell inside the next measured sync (40 s of vacuum of poolB's table beside its apply) the
     * run took half as long again. The rows a measured sync writes are left to autovacuum, as in production.
     */
    static void settle(Connection conn) throws SQLException {
        if (!"PostgreSQL".equals(conn.getMetaData().getDatabaseProductName())) {
            return;
        }
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(true);
        try (var st = conn.createStatement()) {
            st.execute("VACUUM user_contact");
        } finally {
            conn.setAutoCommit(auto);
        }
    }

    static long count(Connection conn, String where) throws SQLException {
        try (var st = conn.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM user_contact" + (where == null ? "" : " WHERE " + where))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
