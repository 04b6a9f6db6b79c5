package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.demo.StoreComparison;
import io.poolpair.state.ChangeLog;
import io.poolpair.status.BackupStatus;
import io.poolpair.store.Dialect;
import io.poolpair.store.StoreConnection;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * poolA and poolB as separate {@code run} processes (their own JVMs, as in production) sharing a pair folder, on
 * databases of the test PostgreSQL server (which outlives the processes that use it) or on H2 files opened with
 * {@code AUTO_SERVER=TRUE} (whichever process opens a file first serves it to the others).
 */
final class PoolProcesses implements AutoCloseable {

    private final Path dir;
    private final Map<String, PoolConfig> configs = new HashMap<>();
    private final Map<String, HikariDataSource> dataSources = new HashMap<>();
    private final Map<String, Process> processes = new HashMap<>();
    private final StoreKind store;

    private PoolProcesses(Path dir, StoreKind store) {
        this.dir = dir;
        this.store = store;
    }

    static PoolProcesses onPostgres(Path dir, Map<String, String> settings) throws Exception {
        return on(StoreKind.POSTGRES, dir, settings);
    }

    static PoolProcesses on(StoreKind store, Path dir, Map<String, String> settings) throws Exception {
        return on(store, dir, settings, Map.of());
    }

    /**
     * Creates the pair folder and both databases; {@code settings} go into both pools' files, {@code perPool}
     * (by pool name) into one pool's file only.
     */
    static PoolProcesses on(StoreKind store, Path dir, Map<String, String> settings,
                            Map<String, Map<String, String>> perPool) throws Exception {
        PoolProcesses pools = new PoolProcesses(dir, store);
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        for (String pool : List.of(A, B)) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(perPool.getOrDefault(pool, Map.of()));
            all.putAll(store.pool(pool, "demo"));
            pools.configs.put(pool, pair.config(pool, pool.equals(A) ? B : A, all));
            // the services read only their files, so the settings go there too
            StringBuilder text = new StringBuilder();
            all.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(dir.resolve(pool + ".properties"), text, StandardOpenOption.APPEND);
        }
        return pools;
    }

    PoolConfig config(String pool) {
        return configs.get(pool);
    }

    /** A small pool of connections to the pool's database, kept open for the fixture's life. */
    HikariDataSource dataSource(String pool) {
        return dataSources.computeIfAbsent(pool, p -> StoreConnection.open(configs.get(p)));
    }

    /** The pool's properties file, as the {@code run} process and the commands read it. */
    Path configFile(String pool) {
        return dir.resolve(pool + ".properties");
    }

    /** Closes the fixture's connections to the pool's database (before it is dropped); the next use opens new ones. */
    void forgetDataSource(String pool) {
        HikariDataSource ds = dataSources.remove(pool);
        if (ds != null) {
            ds.close();
        }
    }

    /**
     * Starts the pool's {@code run} process, with {@code jvmOptions} (e.g. the test fault-injection hook
     * {@code -Dpoolpair.test.halt-before=<route step id>}) before its main class.
     */
    void start(String pool, String... jvmOptions) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // C1 only: a child starts in about half the CPU (no C2 compile threads competing for the 2 cores)
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dpoolpair.home=" + PoolConfig.locateHome(), "-D" + PROCESS_PROPERTY + "=" + pool));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classpath, "io.poolpair.cli.PoolPairCommand", "run",
                "--config", dir.resolve(pool + ".properties").toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(pool + ".log").toFile())).start();
        processes.put(pool, p);
    }

    /** Waits until the pool's service answers on its HTTP port. */
    void awaitStarted(String pool) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + config(pool).httpPort() + "/poolpair/status")).build();
        await(pool + " answers on its HTTP port", Duration.ofSeconds(90), () -> {
            try {
                return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until the pool's process ends by itself; returns its exit code. */
    int awaitExit(String pool, Duration timeout) throws Exception {
        Process p = processes.get(pool);
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError(pool + " still runs after " + timeout.toSeconds() + " s\n" + logs());
        }
        processes.remove(pool);
        return p.exitValue();
    }

    /**
     * SIGKILL: no shutdown hook, no final cycle, as a crash or a pulled plug leaves it. On H2 the test's own
     * connections to the pool's store go too: they were served by the killed process, and a new one made while it
     * is down would make this JVM open and serve the file.
     */
    void kill(String pool) throws InterruptedException {
        if (store == StoreKind.H2) {
            HikariDataSource ds = dataSources.remove(pool);
            if (ds != null) {
                ds.close();
            }
        }
        Process p = processes.remove(pool);
        if (p != null) {
            p.destroyForcibly().waitFor();
        }
    }

    /** The system property naming the pool of each {@code run} process this fixture starts. */
    static final String PROCESS_PROPERTY = "poolpair.test.process";

    /**
     * On H2: the pool whose {@code run} process serves the pool's database file (H2's AUTO_SERVER: the process that
     * opened it first), asked from inside the database; null when this test JVM serves it.
     */
    String h2ServedBy(String pool) throws SQLException {
        try (Connection conn = dataSource(pool).getConnection(); java.sql.Statement st = conn.createStatement()) {
            st.execute("CREATE ALIAS IF NOT EXISTS PP_TEST_SYSTEM_PROPERTY FOR 'java.lang.System.getProperty'");
            try (ResultSet rs = st.executeQuery("CALL PP_TEST_SYSTEM_PROPERTY('" + PROCESS_PROPERTY + "')")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    BackupStatus.ModuleStatus status(String pool, String module) throws Exception {
        return new BackupStatus(config(pool), dataSource(pool)).module(module);
    }

    /** Every direction of every module: nothing pending, every batch applied by the peer and acknowledged. */
    boolean settled() {
        try {
            for (String pool : List.of(A, B)) {
                HikariDataSource src = dataSource(pool);
                HikariDataSource dst = dataSource(pool.equals(A) ? B : A);
                for (ModuleConfig m : config(pool).modules()) {
                    long pending = new ChangeLog(src).pending(m.name());
                    long last = single(src, "SELECT last_batch FROM pp_export WHERE module = ?", m.name());
                    long acked = single(src, "SELECT acked_batch FROM pp_export WHERE module = ?", m.name());
                    long applied = single(dst, "SELECT last_applied FROM pp_import WHERE module = ?", m.name());
                    if (pending > 0 || last != acked || last != applied) {
                        return false;
                    }
                }
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            // e.g. an H2 file whose lock a just-killed process still holds: not settled yet, ask again
            return false;
        }
    }

    void awaitSettled(Duration timeout) throws Exception {
        await("both pools settled", timeout, this::settled);
    }

    void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what + "\n"
                        + diagnose() + logs());
            }
            Thread.sleep(200);
        }
    }

    static long single(HikariDataSource ds, String sql, String module) throws SQLException {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    void assertCopiesEqual() throws Exception {
        HikariDataSource a = dataSource(A);
        HikariDataSource b = dataSource(B);
        TableCatalog catalogA = TableCatalog.read(a, config(A).modules());
        TableCatalog catalogB = TableCatalog.read(b, config(B).modules());
        Dialect dialect = Dialect.forUrl(config(A).datasourceUrl());
        for (TableInfo table : catalogA.all()) {
            var rowsA = StoreComparison.rows(a, dialect, table);
            var rowsB = StoreComparison.rows(b, dialect, catalogB.table(table.name()));
            if (!rowsA.equals(rowsB)) {
                var onlyA = new ArrayList<>(rowsA);
                onlyA.removeAll(rowsB);
                var onlyB = new ArrayList<>(rowsB);
                onlyB.removeAll(rowsA);
                throw new AssertionError("rows of " + table.name() + " differ\nonly on poolA: " + onlyA + "\nonly on poolB: "
                        + onlyB + "\n" + diagnose());
            }
        }
    }

    /**
     * Exactly once, by data: every transaction of each pool's writer incremented the pool's counter setting, so the
     * counter in the writer's own store is the writers' committed count (plus at most the commits in doubt), and the
     * peer's copy holds the same value: a batch skipped, or an old state applied again after a newer one, leaves it
     * lower. Then each pool's import log holds batches 1..last_applied, each once.
     */
    void assertEachBatchAppliedOnce(PoolWriter load) throws Exception {
        for (String pool : List.of(A, B)) {
            String peer = pool.equals(A) ? B : A;
            long own = counter(dataSource(pool), pool);
            long committed = load.committed(pool);
            long inDoubt = load.inDoubt(pool);
            if (own < committed || own > committed + inDoubt) {
                throw new AssertionError(pool + "'s writer committed " + committed + " increments (" + inDoubt
                        + " more in doubt) but its store counts " + own + "\n" + diagnose());
            }
            assertEquals(own, counter(dataSource(peer), pool), peer + "'s copy of " + pool + "'s write counter\n" + diagnose());
        }
        assertImportLogComplete();
    }

    private static long counter(HikariDataSource ds, String pool) throws SQLException {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT setting_value FROM user_setting WHERE user_uri = ? AND setting_name = ?")) {
            ps.setString(1, "sip:owner@" + pool);
            ps.setString(2, PoolWriter.COUNTER);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Long.parseLong(rs.getString(1)) : 0;
            }
        }
    }

    /** Each pool's import log holds batches 1..last_applied, each once (a check of bookkeeping, not of data). */
    void assertImportLogComplete() throws Exception {
        for (String pool : List.of(A, B)) {
            HikariDataSource ds = dataSource(pool);
            for (ModuleConfig m : config(pool).modules()) {
                long applied = single(ds, "SELECT last_applied FROM pp_import WHERE module = ?", m.name());
                String where = pool + " " + m.name();
                assertEquals(applied, single(ds, "SELECT COUNT(*) FROM pp_import_log WHERE module = ?", m.name()), where);
                if (applied > 0) {
                    assertEquals(1, single(ds, "SELECT MIN(batch) FROM pp_import_log WHERE module = ?", m.name()), where);
                    assertEquals(applied, single(ds, "SELECT MAX(batch) FROM pp_import_log WHERE module = ?", m.name()), where);
                }
            }
        }
    }

    private String diagnose() {
        StringBuilder text = new StringBuilder();
        for (String pool : List.of(A, B)) {
            try (Connection conn = dataSource(pool).getConnection()) {
                try (ResultSet rs = conn.createStatement().executeQuery(
                        "SELECT module, last_batch, published_batch, acked_batch, last_error FROM pp_export")) {
                    while (rs.next()) {
                        text.append(pool).append(" export ").append(rs.getString(1)).append(" last/published/acked ")
                                .append(rs.getLong(2)).append('/').append(rs.getLong(3)).append('/').append(rs.getLong(4))
                                .append(rs.getString(5) == null ? "" : " error: " + rs.getString(5)).append('\n');
                    }
                }
                for (ModuleConfig m : config(pool).modules()) {
                    text.append(pool).append(" pending ").append(m.name()).append(' ')
                            .append(new ChangeLog(dataSource(pool)).pending(m.name())).append('\n');
                }
                try (ResultSet rs = conn.createStatement().executeQuery("SELECT module, last_applied FROM pp_import")) {
                    while (rs.next()) {
                        text.append(pool).append(" import ").append(rs.getString(1)).append(" applied ").append(rs.getLong(2))
                                .append('\n');
                    }
                }
            } catch (SQLException e) {
                text.append(pool).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    /** The end of both pools' logs, for failure messages. */
    String logs() {
        StringBuilder text = new StringBuilder();
        for (String pool : List.of(A, B)) {
            try {
                String log = Files.readString(dir.resolve(pool + ".log"));
                text.append("--- ").append(pool).append(".log (end)\n").append(log.substring(Math.max(0, log.length() - 3000)));
            } catch (IOException e) {
                text.append("--- no ").append(pool).append(".log\n");
            }
        }
        return text.toString();
    }

    String log(String pool) throws IOException {
        return Files.readString(dir.resolve(pool + ".log"));
    }

    @Override
    public void close() throws Exception {
        for (String pool : List.copyOf(processes.keySet())) {
            kill(pool);
        }
        dataSources.values().forEach(HikariDataSource::close);
    }
}
