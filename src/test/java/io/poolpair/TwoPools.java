package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.demo.PairProbe;
import io.poolpair.demo.StoreComparison;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.share.ShareLayout;
import io.poolpair.store.TableInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Two real pools (poolA, poolB) on H2 files with real folders as shares, in one temporary folder. The
 * Quartz schedule is off unless a test turns it on, so that tests drive export cycles with {@link #syncBoth}.
 */
final class TwoPools implements AutoCloseable {

    static final String A = "poolA";
    static final String B = "poolB";
    static final String PRESENCE = "UserServices.PresenceFocus";
    static final String CMS = "CentralMgmt.CMSMaster";
    static final Duration WAIT = Duration.ofSeconds(30);

    final PairFolder pair;
    final Map<String, String> overrides;
    final Map<String, Map<String, String>> perPool = new HashMap<>();
    PoolPairRuntime a;
    PoolPairRuntime b;

    private TwoPools(Path dir, Map<String, String> extra) {
        this.pair = new PairFolder(dir, PoolConfig.locateHome());
        this.overrides = new HashMap<>(Map.of(
                "poolpair.export.on-schedule", "false",
                "poolpair.import.poll-delay", "PT0.1S",
                "poolpair.resend-after", "PT1S"));
        this.overrides.putAll(extra);
    }

    static TwoPools start(Path dir) {
        return start(dir, Map.of());
    }

    static TwoPools start(Path dir, Map<String, String> extra) {
        return start(dir, extra, Map.of(), Map.of());
    }

    /** With settings for one pool only, e.g. its database: {@code a} for poolA, {@code b} for poolB. */
    static TwoPools start(Path dir, Map<String, String> extra, Map<String, String> a, Map<String, String> b) {
        TwoPools pools = new TwoPools(dir, extra);
        pools.perPool.put(A, a);
        pools.perPool.put(B, b);
        pools.a = pools.startPool(A);
        pools.b = pools.startPool(B);
        return pools;
    }

    PoolConfig config(String pool) {
        Map<String, String> all = new HashMap<>(overrides);
        all.putAll(perPool.getOrDefault(pool, Map.of()));
        return pair.config(pool, pool.equals(A) ? B : A, all);
    }

    PoolPairRuntime startPool(String pool) {
        return PoolPairRuntime.create(config(pool)).start();
    }

    /** Stops poolA and returns its configuration: its store is then the test's own until {@code startPool(A)}. */
    PoolConfig stopA() {
        PoolConfig config = a.config();
        a.close();
        a = null;
        return config;
    }

    /** A connection to the store of the pool {@code config} describes, as an application or an operator opens one. */
    static Connection connect(PoolConfig config) throws SQLException {
        return DriverManager.getConnection(config.datasourceUrl(), config.datasourceUsername(), config.datasourcePassword());
    }

    /** Asserts that poolA captured {@code changes} of PRESENCE and that {@code contact} then reaches poolB. */
    void assertCapturedAndReplicated(long changes, String contact) throws Exception {
        assertEquals(changes, new ChangeLog(a.store().dataSource()).pending(PRESENCE), "changes captured on poolA");
        syncUntilSettled();
        assertEquals(1, contacts(b, contact), contact + " on poolB");
    }

    /** Stops a pool as a crash would leave it (no final cycle) and starts a fresh process-equivalent. */
    PoolPairRuntime restart(PoolPairRuntime pool) {
        String name = pool.config().pool();
        pool.close();
        PoolPairRuntime fresh = startPool(name);
        if (name.equals(A)) {
            a = fresh;
        } else {
            b = fresh;
        }
        return fresh;
    }

    void syncBoth() {
        a.syncNow();
        b.syncNow();
    }

    /** Runs export cycles on both pools until every direction of every module is applied and acknowledged. */
    void syncUntilSettled() throws Exception {
        await("both pools settled", () -> {
            syncBoth();
            return PairProbe.settled(a, b);
        });
    }

    ExportState.Snapshot exportState(PoolPairRuntime pool, String module) throws SQLException {
        return new ExportState(pool.store().dataSource()).get(module);
    }

    ImportState.Snapshot importState(PoolPairRuntime pool, String module) throws SQLException {
        return new ImportState(pool.store().dataSource(), pool.config().peer()).get(module);
    }

    void awaitApplied(PoolPairRuntime pool, String module, long batch) throws Exception {
        await(pool.config().pool() + " applied batch " + batch + " of " + module,
                () -> importState(pool, module).lastApplied() >= batch);
    }

    void awaitAcknowledged(PoolPairRuntime pool, String module, long batch) throws Exception {
        await(pool.config().pool() + " saw batch " + batch + " of " + module + " acknowledged",
                () -> exportState(pool, module).ackedBatch() >= batch);
    }

    Path dataFolder(PoolPairRuntime pool, String module) {
        return new ShareLayout(pool.config()).localData(module);
    }

    /** Result of a command run through the real command line. */
    record CommandResult(int exit, String out, String err) {
    }

    static CommandResult cli(String... args) {
        picocli.CommandLine cl = io.poolpair.cli.PoolPairCommand.commandLine();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CommandResult(exit, out.toString(), err.toString());
    }

    Path configFile(String pool) {
        return pair.dir().resolve(pool + ".properties");
    }

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out after " + WAIT + " waiting until " + what);
    }

    /**
     * Waits until the file consumer of route {@code routeId} has completed {@code polls} more polls than when
     * called: evidence that it looked at the folder, where a fixed sleep would pass even if it never polled. The
     * first poll counted may have begun before the call, so a caller that needs a whole poll after a change asks
     * for two.
     */
    static void awaitPolls(PoolPairRuntime pool, String routeId, int polls) throws Exception {
        org.apache.camel.Route route = pool.context().getRoute(routeId);
        if (route == null || !(route.getConsumer() instanceof org.apache.camel.support.ScheduledPollConsumer consumer)) {
            throw new AssertionError("route " + routeId + " has no polling consumer");
        }
        long start = consumer.getCounter();
        await(polls + " polls of route " + routeId, () -> consumer.getCounter() >= start + polls);
    }

    static int exec(PoolPairRuntime pool, String sql, Object... params) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    static long count(PoolPairRuntime pool, String sql, Object... params) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Runs statements with capture suppressed, as a restore from backup or lost change history would leave a pool. */
    static void uncaptured(PoolPairRuntime pool, String... statements) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection()) {
            conn.setAutoCommit(false);
            pool.store().dialect().setApplying(conn, true);
            for (String sql : statements) {
                try (var st = conn.createStatement()) {
                    st.executeUpdate(sql);
                }
            }
            conn.commit();
            pool.store().dialect().setApplying(conn, false);
            conn.setAutoCommit(true);
        }
    }

    /** Inserts one contact homed on {@code pool}. */
    static void insertContact(PoolPairRuntime pool, String owner, String contact) throws SQLException {
        exec(pool, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool) VALUES (?, ?, ?, ?, ?)",
                owner, contact, "Friends", "Display " + contact, pool.config().pool());
    }

    static long contacts(PoolPairRuntime pool, String contact) throws SQLException {
        return count(pool, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ?", contact);
    }

    /** Asserts that every replicated table holds the same rows, every column, on both pools. */
    void assertCopiesEqual() throws SQLException {
        for (TableInfo table : a.store().catalog().all()) {
            List<Map<String, String>> rowsA = StoreComparison.rows(a.store().dataSource(), a.store().dialect(), table);
            List<Map<String, String>> rowsB = StoreComparison.rows(b.store().dataSource(), b.store().dialect(),
                    b.store().catalog().table(table.name()));
            assertEquals(rowsA, rowsB, "rows of " + table.name() + " differ between the pools");
        }
    }

    @Override
    public void close() {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }
}
