package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.demo.StoreComparison;
import io.poolpair.store.Dialect;
import io.poolpair.store.StoreConnection;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both pools run as separate {@code run} processes on PostgreSQL (a database server outlives the processes
 * that use it, as in production) under a steady writer load; each side is killed with
 * SIGKILL at random moments ({@code -Dpoolpair.kills}, default 10) and started again. At the end the copies
 * are equal and every batch was applied exactly once.
 */
class ProcessKillTest {

    private static final int KILLS = Integer.getInteger("poolpair.kills", 10);

    @TempDir
    Path dir;

    private final Map<String, Process> processes = new HashMap<>();

    @Test
    void poolsKilledAtRandomMomentsConvergeWithEveryBatchAppliedOnce() throws Exception {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        Map<String, String> settings = Map.of("poolpair.sync-interval", "PT5S", "poolpair.import.poll-delay", "PT0.2S",
                "poolpair.resend-after", "PT5S");
        Map<String, Map<String, String>> perPool = new HashMap<>();
        Map<String, PoolConfig> configs = new HashMap<>();
        for (String pool : List.of(A, B)) {
            Map<String, String> all = new HashMap<>(settings);
            all.putAll(StoreKind.POSTGRES.pool(pool, "demo"));
            perPool.put(pool, all);
            configs.put(pool, pair.config(pool, pool.equals(A) ? B : A, all));
        }
        appendSettings(perPool);
        try {
            start(A);
            start(B);
            awaitStarted(configs.get(A));
            awaitStarted(configs.get(B));
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong written = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (String pool : List.of(A, B)) {
                Thread t = new Thread(() -> write(configs.get(pool), writing, written), "writer-" + pool);
                t.start();
                writers.add(t);
            }
            Random random = new Random(42);
            for (int kill = 0; kill < KILLS; kill++) {
                Thread.sleep(1500 + random.nextInt(2500));
                String victim = random.nextBoolean() ? A : B;
                processes.get(victim).destroyForcibly().waitFor();
                Thread.sleep(random.nextInt(1000));
                start(victim);
            }
            writing.set(false);
            for (Thread t : writers) {
                t.join();
            }
            assertTrue(written.get() > 100, "the writers committed only " + written.get() + " transactions");

            long deadline = System.nanoTime() + 180_000_000_000L;
            while (!settled(configs) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertTrue(settled(configs), "the pools did not converge after " + KILLS + " kills\n" + logs());
            assertCopiesEqual(configs);
            for (String pool : List.of(A, B)) {
                assertEachBatchAppliedOnce(configs.get(pool));
            }
            System.out.printf("%d kills, %d writer transactions, pools converged%n", KILLS, written.get());
        } finally {
            for (Process p : processes.values()) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** The settings go into the pool files too, since the services read only those. */
    private void appendSettings(Map<String, Map<String, String>> perPool) throws IOException {
        for (String pool : List.of(A, B)) {
            StringBuilder text = new StringBuilder();
            perPool.get(pool).forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            java.nio.file.Files.writeString(dir.resolve(pool + ".properties"), text, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private void start(String pool) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dpoolpair.home=" + PoolConfig.locateHome(), "-cp", classpath, "io.poolpair.cli.PoolPairCommand", "run",
                "--config", dir.resolve(pool + ".properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(pool + ".log").toFile())).start();
        processes.put(pool, p);
    }

    /** Waits until the service answers on its HTTP port. */
    private void awaitStarted(PoolConfig config) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + config.httpPort() + "/poolpair/status")).build();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(config.pool() + " did not start within 90 s\n" + logs());
    }

    /** Inserts, updates and deletes rows homed on the pool, as the pool's applications would. */
    private static void write(PoolConfig config, AtomicBoolean writing, AtomicLong written) {
        Random random = new Random(config.pool().hashCode());
        try (HikariDataSource ds = StoreConnection.open(config)) {
            while (writing.get()) {
                try (Connection conn = ds.getConnection()) {
                    conn.setAutoCommit(false);
                    int key = random.nextInt(400);
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri,"
                            + " group_name, home_pool) VALUES (?, ?, ?, ?) ON CONFLICT (owner_uri, contact_uri) DO UPDATE SET"
                            + " group_name = EXCLUDED.group_name")) {
                        ps.setString(1, "sip:owner@" + config.pool());
                        ps.setString(2, "sip:c" + key + "@example.com");
                        ps.setString(3, "G" + random.nextInt(9));
                        ps.setString(4, config.pool());
                        ps.executeUpdate();
                    }
                    if (random.nextInt(5) == 0) {
                        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM user_contact WHERE owner_uri = ?"
                                + " AND contact_uri = ?")) {
                            ps.setString(1, "sip:owner@" + config.pool());
                            ps.setString(2, "sip:c" + random.nextInt(400) + "@example.com");
                            ps.executeUpdate();
                        }
                    }
                    conn.commit();
                    written.incrementAndGet();
                    Thread.sleep(5);
                } catch (SQLException e) {
                    sleepQuietly(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static boolean settled(Map<String, PoolConfig> configs) throws Exception {
        for (String pool : List.of(A, B)) {
            PoolConfig source = configs.get(pool);
            PoolConfig target = configs.get(pool.equals(A) ? B : A);
            try (HikariDataSource src = StoreConnection.open(source); HikariDataSource dst = StoreConnection.open(target)) {
                for (ModuleConfig m : source.modules()) {
                    long pending = single(src, "SELECT COUNT(*) FROM pp_change WHERE module = ? AND batch IS NULL", m.name());
                    long last = single(src, "SELECT last_batch FROM pp_export WHERE module = ?", m.name());
                    long acked = single(src, "SELECT acked_batch FROM pp_export WHERE module = ?", m.name());
                    long applied = single(dst, "SELECT last_applied FROM pp_import WHERE module = ?", m.name());
                    if (pending > 0 || last != acked || last != applied) {
                        return false;
                    }
                }
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    private static long single(HikariDataSource ds, String sql, String module) throws SQLException {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static void assertCopiesEqual(Map<String, PoolConfig> configs) throws Exception {
        try (HikariDataSource a = StoreConnection.open(configs.get(A)); HikariDataSource b = StoreConnection.open(configs.get(B))) {
            TableCatalog catalogA = TableCatalog.read(a, configs.get(A).modules());
            TableCatalog catalogB = TableCatalog.read(b, configs.get(B).modules());
            Dialect dialect = Dialect.forUrl(configs.get(A).datasourceUrl());
            for (TableInfo table : catalogA.all()) {
                var rowsA = StoreComparison.rows(a, dialect, table);
                var rowsB = StoreComparison.rows(b, dialect, catalogB.table(table.name()));
                if (!rowsA.equals(rowsB)) {
                    var onlyA = new ArrayList<>(rowsA);
                    onlyA.removeAll(rowsB);
                    var onlyB = new ArrayList<>(rowsB);
                    onlyB.removeAll(rowsA);
                    String diag = "only on poolA: " + onlyA + "\nonly on poolB: " + onlyB + "\n" + diagnose(a, b);
                    throw new AssertionError("rows of " + table.name() + " differ after the kills\n" + diag);
                }
            }
        }
    }

    private static String diagnose(HikariDataSource a, HikariDataSource b) throws SQLException {
        StringBuilder text = new StringBuilder();
        for (HikariDataSource ds : List.of(a, b)) {
            try (Connection conn = ds.getConnection(); ResultSet rs = conn.createStatement().executeQuery(
                    "SELECT module, last_batch, published_batch, acked_batch FROM pp_export")) {
                while (rs.next()) {
                    text.append("export ").append(rs.getString(1)).append(' ').append(rs.getLong(2)).append('/')
                            .append(rs.getLong(3)).append('/').append(rs.getLong(4)).append('\n');
                }
            }
            try (Connection conn = ds.getConnection(); ResultSet rs = conn.createStatement().executeQuery(
                    "SELECT module, last_applied FROM pp_import")) {
                while (rs.next()) {
                    text.append("import ").append(rs.getString(1)).append(' ').append(rs.getLong(2)).append('\n');
                }
            }
        }
        return text.toString();
    }

    /** The import log holds batches 1..last_applied, each exactly once. */
    private static void assertEachBatchAppliedOnce(PoolConfig config) throws Exception {
        try (HikariDataSource ds = StoreConnection.open(config)) {
            for (ModuleConfig m : config.modules()) {
                long applied = single(ds, "SELECT last_applied FROM pp_import WHERE module = ?", m.name());
                assertEquals(applied, single(ds, "SELECT COUNT(*) FROM pp_import_log WHERE module = ?", m.name()));
                assertEquals(applied, single(ds, "SELECT COUNT(DISTINCT batch) FROM pp_import_log WHERE module = ?", m.name()));
                if (applied > 0) {
                    assertEquals(applied, single(ds, "SELECT MAX(batch) FROM pp_import_log WHERE module = ?", m.name()));
                }
            }
        }
    }

    private String logs() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String pool : List.of(A, B)) {
            String log = java.nio.file.Files.readString(dir.resolve(pool + ".log"));
            text.append("--- ").append(pool).append(".log (end)\n").append(log.substring(Math.max(0, log.length() - 3000)));
        }
        return text.toString();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
