package io.poolpair.bench;

import io.poolpair.state.ChangeLog;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The write-path cost of capture: insert and update throughput of the same rows into a database that
 * poolpair captures (its triggers installed by a pool started on it) and into one without poolpair; on PostgreSQL
 * also with multi-row statements ({@value #ROWS_PER_STATEMENT} rows an {@code INSERT ... SELECT} or {@code UPDATE}),
 * which its statement-level capture records with one insert per statement.
 */
final class CaptureCost {

    static final int ROWS_PER_STATEMENT = 1_000;

    static final String MULTI_INSERT = "multi-row-insert";
    static final String MULTI_UPDATE = "multi-row-update";

    private static final String NUMBER = "substr(split_part(contact_uri, '@', 1), 12)";

    /** The rows of {@link Workload#bindRow} numbered {@code g} in {@code [?, ?]}, made by the database. */
    private static final String MULTI_INSERT_SQL = "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name,"
            + " is_favorite, home_pool) SELECT 'sip:user' || (g / 50) || '.' || ? || '@poolA.example.com',"
            + " 'sip:contact' || g || '@example.com', 'Group ' || (g % 7), 'Contact ' || g || ' v0 ' || left(md5(g::text), 16)"
            + " || ' of some length', g % 3 = 0, '" + Workload.OWNER + "' FROM generate_series(?::bigint, ?::bigint) AS g";

    /**
     * The rows of owners {@code ?} (an array: 20 owners hold 1,000 consecutive rows) to a version, found through the
     * key's index; each row's number is read back from its {@code contact_uri}.
     */
    private static final String MULTI_UPDATE_SQL = "UPDATE user_contact SET display_name = 'Contact ' || " + NUMBER
            + " || ' v' || ? || ' ' || left(md5(" + NUMBER + " || ?), 16) || ' of some length', is_favorite = (" + NUMBER
            + "::bigint + ?) % 3 = 0 WHERE owner_uri = ANY (?)";

    private CaptureCost() {
    }

    static String id(String op, boolean captured) {
        return op + (captured ? "-capture" : "-plain");
    }

    /**
     * A connection to the pool's database as the application's own, set up as the plain database's: on PostgreSQL not
     * one of poolpair's pool, whose {@code reWriteBatchedInserts} would turn the batched one-row inserts into multi-row
     * ones on the captured side only.
     */
    private static Connection applicationConnection(BenchStore store, PoolPairRuntime pool) throws java.sql.SQLException {
        if (!store.isPostgres()) {
            return pool.store().dataSource().getConnection();
        }
        return java.sql.DriverManager.getConnection(pool.config().datasourceUrl(), pool.config().datasourceUsername(),
                pool.config().datasourcePassword());
    }

    static void measure(BenchStore store, Path dir, long rows, int runs, Figures figures, Progress progress) throws Exception {
        Dialect dialect = store.dialect();
        PairFolder folder = new PairFolder(dir, PoolConfig.locateHome());
        Map<String, String> settings = new HashMap<>(store.poolSettings("capture"));
        settings.putAll(BenchPair.onDemand());
        try (PoolPairRuntime pool = PoolPairRuntime.create(folder.config(BenchPair.A, BenchPair.B, settings));
             Connection captured = applicationConnection(store, pool);
             Connection plain = store.plainDatabase("plain")) {
            for (int run = 0; run <= runs; run++) { // run 0 warms both databases up and is not counted
                // alternate which database goes first, so neither always meets the warmer machine
                for (Connection conn : run % 2 == 1 ? new Connection[] {plain, captured} : new Connection[] {captured, plain}) {
                    boolean withCapture = conn == captured;
                    String tag = "c" + run;
                    long started = System.nanoTime();
                    Workload.insert(conn, dialect, tag, 0, rows, false);
                    long insertNanos = System.nanoTime() - started;
                    started = System.nanoTime();
                    Workload.update(conn, dialect, tag, 0, rows, 1, false);
                    long updateNanos = System.nanoTime() - started;
                    if (run > 0) {
                        record(figures, store, rows, withCapture, insertNanos, updateNanos);
                    }
                    progress.say("%s %s capture run %d: insert %.0f rows/s, update %.0f rows/s", store.name(),
                            withCapture ? "with" : "without", run, rows / (insertNanos / 1e9), rows / (updateNanos / 1e9));
                    clear(conn, dialect, withCapture);
                    if (store.isPostgres()) {
                        started = System.nanoTime();
                        multiRow(conn, MULTI_INSERT_SQL, tag, rows, 0);
                        insertNanos = System.nanoTime() - started;
                        started = System.nanoTime();
                        multiRow(conn, MULTI_UPDATE_SQL, tag, rows, 1);
                        updateNanos = System.nanoTime() - started;
                        if (run > 0) {
                            recordMultiRow(figures, store, rows, withCapture, insertNanos, updateNanos);
                        }
                        progress.say("%s %s capture run %d: multi-row insert %.0f rows/s, multi-row update %.0f rows/s",
                                store.name(), withCapture ? "with" : "without", run, rows / (insertNanos / 1e9),
                                rows / (updateNanos / 1e9));
                        clear(conn, dialect, withCapture);
                    }
                }
            }
        }
    }

    private static void clear(Connection conn, Dialect dialect, boolean withCapture) throws SQLException {
        Workload.clear(conn, dialect);
        if (withCapture) {
            ChangeLog.clear(conn); // the pool is never synced here
        }
    }

    /**
     * Writes rows 0 to {@code rows} (exclusive) {@value #ROWS_PER_STATEMENT} a statement with {@code sql}
     * ({@link #MULTI_INSERT_SQL}, or {@link #MULTI_UPDATE_SQL} to {@code version}), committing every
     * {@value Workload#COMMIT_EVERY} rows as the single-row workload does.
     */
    private static void multiRow(Connection conn, String sql, String tag, long rows, int version) throws SQLException {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (long from = 0; from < rows; from += ROWS_PER_STATEMENT) {
                long to = Math.min(rows, from + ROWS_PER_STATEMENT) - 1;
                if (version > 0) {
                    ps.setString(1, Integer.toString(version));
                    ps.setString(2, "v" + version);
                    ps.setInt(3, version);
                    String[] owners = new String[(int) ((to - from) / 50 + 1)];
                    for (int k = 0; k < owners.length; k++) {
                        owners[k] = Workload.owner(tag, from + 50L * k);
                    }
                    ps.setArray(4, conn.createArrayOf("varchar", owners));
                } else {
                    ps.setString(1, tag);
                    ps.setLong(2, from);
                    ps.setLong(3, to);
                }
                int written = ps.executeUpdate();
                if (written != to - from + 1) {
                    throw new IllegalStateException(sql.substring(0, 6) + " wrote " + written + " rows of " + (to - from + 1));
                }
                if ((to + 1) % Workload.COMMIT_EVERY == 0) {
                    conn.commit();
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(auto);
        }
    }

    private static void recordMultiRow(Figures figures, BenchStore store, long rows, boolean withCapture, long insertNanos,
                                       long updateNanos) {
        String with = (withCapture ? "with" : "without") + " capture, ";
        figures.add(id(MULTI_INSERT, withCapture), "multi-row insert (" + Progress.count(ROWS_PER_STATEMENT) + " rows a"
                + " statement) " + with + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (insertNanos / 1e9));
        figures.add(id(MULTI_UPDATE, withCapture), "multi-row update (" + Progress.count(ROWS_PER_STATEMENT) + " rows a"
                + " statement) " + with + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (updateNanos / 1e9));
    }

    private static void record(Figures figures, BenchStore store, long rows, boolean withCapture, long insertNanos,
                               long updateNanos) {
        figures.add(id("insert", withCapture), "insert " + (withCapture ? "with" : "without") + " capture, "
                + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (insertNanos / 1e9));
        figures.add(id("update", withCapture), "update " + (withCapture ? "with" : "without") + " capture, "
                + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (updateNanos / 1e9));
    }
}
