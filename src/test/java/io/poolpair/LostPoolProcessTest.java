package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.share.PeerShare;
import io.poolpair.state.ChangeLog;
import io.poolpair.config.ModuleConfig;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lost pool (issue 13, DESIGN.md invariant 7) with both pools as separate {@code run} processes on PostgreSQL and
 * Debian's pgbench as the applications that write to them: poolA wiped (database, data folder, share) and rebuilt from
 * poolB while both keep writing; a failover with poolA's share gone, poolA rebuilt empty and failed back; poolA's
 * database restored from an older {@code pg_dump}. Each test counts the rows every writer committed and ends with
 * exactly those rows homed on each pool, on both pools, and the two copies equal.
 */
class LostPoolProcessTest {

    private static final Duration CONVERGE = Duration.ofSeconds(150);
    private static final Path PGBENCH = Path.of("/usr/bin/pgbench");
    private static final AtomicInteger WRITERS = new AtomicInteger();
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)");
    /**
     * One transaction: a new contact homed on {@code :home} under a key unique across runs ({@code :tag}), clients
     * and a wiped database (the sequence), and an update of a random existing contact of the same pool.
     */
    private static final String SCRIPT = """
            BEGIN;
            INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool) VALUES ('bench-:home', ':tag-' || :client_id || '-' || nextval('lostpool_writer_seq'), 'Bench', 'new', ':home');
            UPDATE user_contact SET display_name = 'updated by :tag-' || :client_id, group_name = 'Updated' WHERE (owner_uri, contact_uri) = (SELECT owner_uri, contact_uri FROM user_contact WHERE home_pool = ':home' ORDER BY random() LIMIT 1);
            END;
            """;
    private static final int SEED = 20;

    @TempDir
    Path dir;

    private PoolProcesses pools;
    private final List<Writer> writers = new ArrayList<>();
    /** Rows homed on each pool that some writer committed (the seed rows and every committed insert). */
    private final Map<String, AtomicLong> committed = new LinkedHashMap<>(Map.of(A, new AtomicLong(), B, new AtomicLong()));

    @BeforeEach
    void bothPoolsRunning() throws Exception {
        requireTools();
        pools = PoolProcesses.onPostgres(dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT3S"));
        pools.start(A);
        pools.start(B);
        pools.awaitStarted(A);
        pools.awaitStarted(B);
        seed(A);
        seed(B);
    }

    @AfterEach
    void stopEverything(org.junit.jupiter.api.TestInfo test) throws Exception {
        for (Writer w : writers) {
            w.halt();
        }
        if (pools != null) {
            pools.close();
        }
        // the pools' logs outlive the temporary folder, for a failure's diagnosis
        Path keep = Path.of("target", "lostpool-logs", test.getTestMethod().map(m -> m.getName()).orElse("test"));
        Files.createDirectories(keep);
        for (String pool : List.of(A, B)) {
            Path log = dir.resolve(pool + ".log");
            if (Files.exists(log)) {
                Files.copy(log, keep.resolve(pool + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void wipedPoolIsRebuiltFromItsPeerWhileBothKeepWriting() throws Exception {
        Writer writerA = writer(A, A);
        Writer writerB = writer(B, B);
        writerA.awaitCommitted(60);
        writerB.awaitCommitted(60);
        writerA.stop();
        // the modules nobody writes to have exported nothing yet: NotInitialized
        awaitState("poolB applied everything poolA exported (poolA FinalState)",
                () -> pools.status(A, PRESENCE).exportStatus() == ExportStatus.FinalState && everyModule(A,
                        s -> s.exportStatus() == ExportStatus.FinalState || s.exportStatus() == ExportStatus.NotInitialized));
        String before = incarnation(A).incarnation();

        pools.kill(A);
        wipe(A, true);
        pools.start(A);
        pools.awaitStarted(A);
        Writer writerA2 = writer(A, A);
        // poolA's users keep writing before, during and after the restore is applied
        awaitState("poolA applied the restore from poolB", () -> everyModule(A,
                s -> s.restore() != null && s.restore().startsWith("restored from poolB")));
        writerA2.awaitCommitted(writerA2.committed() + 40);
        writerB.awaitCommitted(writerB.committed() + 40);
        writerA2.stop();
        writerB.stop();

        awaitEveryCommittedRowOnBothPools();
        BackupStatus.Report report = new BackupStatus(pools.config(A), pools.dataSource(A)).report(null);
        for (BackupStatus.ModuleStatus m : report.modules()) {
            assertNotNull(m.restore(), "poolA's status shows the restore of " + m.module());
            assertTrue(m.restore().startsWith("restored from poolB"), m.module() + ": " + m.restore());
        }
        assertNotEquals(before, report.incarnation().incarnation(), "the rebuilt store is a new incarnation");
        assertEquals(report.incarnation().incarnation(), incarnationSeenBy(B), "poolB knows poolA's new incarnation");
    }

    @Test
    void failoverWithTheLostPoolsShareMissingThenRebuildAndFailback() throws Exception {
        Writer writerA = writer(A, A);
        Writer writerB = writer(B, B);
        writerA.awaitCommitted(40);
        writerB.awaitCommitted(40);
        writerA.stop();
        writerB.stop();
        pools.awaitSettled(CONVERGE);

        pools.kill(A);
        Path shareA = pools.config(A).shareLocal();
        deleteTree(shareA);
        assertTrue(Files.notExists(PeerShare.of(pools.config(B)).localFolder()), "poolB's peer share is gone");
        TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", pools.configFile(B).toString(), "--pool", A, "--skip-data-verification");
        assertEquals(0, failover.exit(), failover.out() + failover.err());

        // poolB serves poolA's users as well as its own
        Writer servingA = writer(B, A);
        Writer servingB = writer(B, B);
        servingA.awaitCommitted(60);
        servingB.awaitCommitted(60);
        servingA.stop();
        servingB.stop();

        wipe(A, false);
        Files.createDirectories(shareA);
        pools.start(A);
        pools.awaitStarted(A);
        TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", pools.configFile(B).toString(), "--pool", A,
                "--timeout", "PT3M");
        assertEquals(0, failback.exit(), failback.out() + failback.err() + "\n" + pools.logs());
        awaitEveryCommittedRowOnBothPools();

        Writer again = writer(A, A);
        Writer againB = writer(B, B);
        again.awaitCommitted(40);
        againB.awaitCommitted(40);
        again.stop();
        againB.stop();
        awaitEveryCommittedRowOnBothPools();
    }

    @Test
    void databaseRestoredFromAnOlderDumpIsDetectedAndConverges() throws Exception {
        Writer writerA = writer(A, A);
        Writer writerB = writer(B, B);
        writerA.awaitCommitted(40);
        writerB.awaitCommitted(40);
        Path dump = dir.resolve("poolA.dump");
        pgDump(A, dump);
        // writes after the dump, exported and applied by poolB: the restored store will not have them
        writerA.awaitCommitted(writerA.committed() + 60);
        writerB.awaitCommitted(writerB.committed() + 60);
        writerA.stop();
        writerB.stop();
        pools.awaitSettled(CONVERGE);
        String before = incarnation(A).incarnation();

        pools.kill(A);
        pools.forgetDataSource(A);
        recreateDatabase(A);
        pgRestore(A, dump);
        pools.start(A);
        pools.awaitStarted(A);
        awaitState("poolA reports that its store went back in time", () -> incarnation(A).replaced() != null);
        BackupStatus.IncarnationStatus renewed = incarnation(A);
        assertEquals(before, renewed.replaced(), "the incarnation of the dump is the one replaced");
        assertNotEquals(before, renewed.incarnation());
        assertTrue(renewed.reason().contains("went back in time"), renewed.reason());

        Writer writerA2 = writer(A, A);
        Writer writerB2 = writer(B, B);
        writerA2.awaitCommitted(40);
        writerB2.awaitCommitted(40);
        writerA2.stop();
        writerB2.stop();
        awaitEveryCommittedRowOnBothPools();
        assertEquals(renewed.incarnation(), incarnationSeenBy(B), "poolB knows poolA's new incarnation");
    }

    // ---- convergence ----

    private void awaitEveryCommittedRowOnBothPools() throws Exception {
        try {
            awaitState("every committed row on both pools, both settled", () -> countsMatch() && settled());
        } catch (AssertionError e) {
            throw new AssertionError("committed " + committed + ", held " + counts() + "\nper run: " + perRun() + "\n"
                    + e.getMessage(), e);
        }
        pools.assertCopiesEqual();
        assertEquals(expectedCounts(), counts(), "rows homed on each pool, as held by each pool");
        System.out.println("converged: committed " + committed);
    }

    /** Waits for {@code condition}; on time-out the failure shows both pools' status too. */
    private void awaitState(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        try {
            pools.await(what, CONVERGE, condition);
        } catch (AssertionError e) {
            StringBuilder text = new StringBuilder();
            for (String pool : List.of(A, B)) {
                try {
                    text.append(new BackupStatus(pools.config(pool), pools.dataSource(pool)).report(null).toJson()).append('\n');
                } catch (Exception s) {
                    text.append(pool).append(": ").append(s).append('\n');
                }
            }
            throw new AssertionError(e.getMessage() + "\n" + text, e);
        }
    }

    /** Each writer run's committed count beside the rows of its tag each pool holds, where they differ. */
    private String perRun() throws SQLException {
        Map<String, Long> expected = new java.util.TreeMap<>();
        expected.put("seed-" + A, (long) SEED);
        expected.put("seed-" + B, (long) SEED);
        for (Writer w : writers) {
            expected.putAll(w.runs);
        }
        StringBuilder text = new StringBuilder();
        Map<String, Map<String, Long>> held = new LinkedHashMap<>();
        for (String holder : List.of(A, B)) {
            Map<String, Long> byTag = new java.util.TreeMap<>();
            try (Connection conn = pools.dataSource(holder).getConnection(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT CASE WHEN contact_uri LIKE 'seed-%' THEN 'seed-' || home_pool"
                         + " ELSE split_part(contact_uri, '-', 1) END, COUNT(*) FROM user_contact GROUP BY 1")) {
                while (rs.next()) {
                    byTag.put(rs.getString(1), rs.getLong(2));
                }
            }
            held.put(holder, byTag);
        }
        java.util.Set<String> tags = new java.util.TreeSet<>(expected.keySet());
        held.values().forEach(m -> tags.addAll(m.keySet()));
        for (String tag : tags) {
            long want = expected.getOrDefault(tag, -1L);
            long a = held.get(A).getOrDefault(tag, 0L);
            long b = held.get(B).getOrDefault(tag, 0L);
            if (want != a || want != b) {
                text.append(tag).append(" committed ").append(want).append(" poolA ").append(a).append(" poolB ").append(b)
                        .append("; ");
            }
        }
        return text.length() == 0 ? "every run's rows on both" : text.toString();
    }

    /**
     * {@link PoolProcesses#settled()} per incarnation: every direction of every module has nothing pending and every
     * batch of the sender's current incarnation applied by the peer and acknowledged. (The peer's import row still
     * counts the old incarnation's batches until the new one sends its first batch.)
     */
    private boolean settled() throws SQLException {
        for (String pool : List.of(A, B)) {
            var src = pools.dataSource(pool);
            var dst = pools.dataSource(pool.equals(A) ? B : A);
            String incarnation = incarnation(pool).incarnation();
            for (ModuleConfig m : pools.config(pool).modules()) {
                long pending = new ChangeLog(src).pending(m.name());
                long last = PoolProcesses.single(src, "SELECT last_batch FROM pp_export WHERE module = ?", m.name());
                long acked = PoolProcesses.single(src, "SELECT acked_batch FROM pp_export WHERE module = ?", m.name());
                long applied;
                try (Connection conn = dst.getConnection(); PreparedStatement ps = conn.prepareStatement(
                        "SELECT last_applied, source_incarnation FROM pp_import WHERE module = ?")) {
                    ps.setString(1, m.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        applied = !rs.next() ? -1 : incarnation.equals(rs.getString(2)) || rs.getString(2) == null
                                ? rs.getLong(1) : 0;
                    }
                }
                if (pending > 0 || last != acked || last != applied) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean countsMatch() throws SQLException {
        return counts().equals(expectedCounts());
    }

    private Map<String, Long> expectedCounts() {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String holder : List.of(A, B)) {
            for (String home : List.of(A, B)) {
                expected.put(holder + " holds " + home, committed.get(home).get());
            }
        }
        return expected;
    }

    private Map<String, Long> counts() throws SQLException {
        Map<String, Long> held = new LinkedHashMap<>();
        for (String holder : List.of(A, B)) {
            for (String home : List.of(A, B)) {
                try (Connection conn = pools.dataSource(holder).getConnection(); PreparedStatement ps = conn.prepareStatement(
                        "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?")) {
                    ps.setString(1, home);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        held.put(holder + " holds " + home, rs.getLong(1));
                    }
                }
            }
        }
        return held;
    }

    private interface ModuleCheck {
        boolean test(BackupStatus.ModuleStatus status);
    }

    private boolean everyModule(String pool, ModuleCheck check) throws Exception {
        for (ModuleConfig m : pools.config(pool).modules()) {
            if (!check.test(pools.status(pool, m.name()))) {
                return false;
            }
        }
        return true;
    }

    private BackupStatus.IncarnationStatus incarnation(String pool) throws SQLException {
        return new BackupStatus(pools.config(pool), pools.dataSource(pool)).report(PRESENCE).incarnation();
    }

    private String incarnationSeenBy(String pool) throws SQLException {
        return incarnation(pool).peerIncarnation();
    }

    // ---- losing and rebuilding a pool ----

    /** poolA's site is gone: an empty database (the demo schema is made again at start-up), no data folder, no share. */
    private void wipe(String pool, boolean emptyShare) throws Exception {
        pools.forgetDataSource(pool);
        recreateDatabase(pool);
        Path data = pools.config(pool).outbox().getParent(); // <data-dir>: outbox, quarantine, content
        deleteTree(data);
        Files.createDirectories(data);
        if (emptyShare) {
            Path share = pools.config(pool).shareLocal();
            try (Stream<Path> children = Files.list(share)) {
                for (Path child : children.toList()) {
                    deleteTree(child);
                }
            }
        }
    }

    private void recreateDatabase(String pool) throws SQLException {
        Matcher url = jdbc(pool);
        String name = url.group(3);
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://" + url.group(1) + ":" + url.group(2)
                + "/postgres", "postgres", ""); Statement st = conn.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
    }

    private void pgDump(String pool, Path file) throws Exception {
        Matcher url = jdbc(pool);
        exec(List.of(postgresTool("pg_dump").toString(), "-h", url.group(1), "-p", url.group(2), "-U", "postgres", "-Fc",
                "-f", file.toString(), url.group(3)));
    }

    private void pgRestore(String pool, Path file) throws Exception {
        Matcher url = jdbc(pool);
        exec(List.of(postgresTool("pg_restore").toString(), "-h", url.group(1), "-p", url.group(2), "-U", "postgres", "-d",
                url.group(3), file.toString()));
    }

    /** The client tool of the server's major version. */
    private Path postgresTool(String tool) throws Exception {
        String version;
        try (Connection conn = pools.dataSource(B).getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            version = Integer.toString(Integer.parseInt(rs.getString(1)) / 10000);
        }
        Path bin = Path.of("/usr/lib/postgresql", version, "bin", tool);
        return Files.isExecutable(bin) ? bin : Path.of("/usr/bin", tool);
    }

    private Matcher jdbc(String pool) {
        Matcher m = JDBC.matcher(pools.config(pool).datasourceUrl());
        assertTrue(m.matches(), pools.config(pool).datasourceUrl());
        return m;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + out);
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    // ---- writers ----

    private void seed(String pool) throws SQLException {
        try (Connection conn = pools.dataSource(pool).getConnection(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES (?, ?, 'Seed', ?)")) {
            for (int i = 0; i < SEED; i++) {
                ps.setString(1, "seed-" + pool);
                ps.setString(2, "seed-" + i);
                ps.setString(3, pool);
                ps.executeUpdate();
            }
        }
        committed.get(pool).addAndGet(SEED);
    }

    private Writer writer(String database, String home) throws Exception {
        Writer w = new Writer(database, home);
        writers.add(w);
        w.start();
        return w;
    }

    /**
     * pgbench against one pool's database writing rows homed on {@code home}: back-to-back runs of two seconds each
     * (so the writer can be stopped between runs with an exact count), each run with its own tag.
     */
    private final class Writer {
        private final String database;
        private final String home;
        private final String tag = "w" + WRITERS.incrementAndGet();
        private final AtomicLong count = new AtomicLong();
        final Map<String, Long> runs = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean stopping;
        private volatile String failure;

        Writer(String database, String home) {
            this.database = database;
            this.home = home;
            this.thread = new Thread(this::loop, "pgbench " + tag + " on " + database + " for " + home);
        }

        void start() throws Exception {
            try (Connection conn = pools.dataSource(database).getConnection(); Statement st = conn.createStatement()) {
                st.execute("CREATE SEQUENCE IF NOT EXISTS lostpool_writer_seq");
            }
            thread.start();
        }

        private void loop() {
            try {
                Path script = dir.resolve(tag + ".sql");
                Files.writeString(script, SCRIPT);
                Matcher url = jdbc(database);
                for (int run = 1; !stopping; run++) {
                    String runTag = tag + "r" + run;
                    List<String> command = List.of(PGBENCH.toString(), "-n", "-h", url.group(1), "-p", url.group(2), "-U",
                            "postgres", "-c", "2", "-j", "1", "-T", "2", "-R", "25", "-D", "tag=" + runTag, "-D",
                            "home=" + home, "-f", script.toString(), url.group(3));
                    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    int exit = p.waitFor();
                    Matcher m = PROCESSED.matcher(out);
                    if (!m.find()) {
                        throw new IllegalStateException("no count in the output of " + String.join(" ", command) + ":\n" + out);
                    }
                    long n = Long.parseLong(m.group(1));
                    count.addAndGet(n);
                    runs.put(runTag, n);
                    committed.get(home).addAndGet(n);
                    if (exit != 0) {
                        throw new IllegalStateException("pgbench exited " + exit + " after " + n + " transactions:\n" + out);
                    }
                }
            } catch (Exception e) {
                failure = thread.getName() + ": " + e.getMessage();
            }
        }

        long committed() {
            return count.get();
        }

        /** Waits until the writer has committed at least {@code n} transactions. */
        void awaitCommitted(long n) throws Exception {
            pools.await(thread.getName() + " committed " + n + " transactions", Duration.ofSeconds(60), () -> {
                if (failure != null) {
                    throw new AssertionError(failure);
                }
                return count.get() >= n;
            });
        }

        /** Lets the current run end, and fails if any run failed. */
        void stop() throws InterruptedException {
            halt();
            if (failure != null) {
                throw new AssertionError(failure);
            }
            System.out.println(thread.getName() + ": " + count.get() + " transactions committed");
        }

        void halt() throws InterruptedException {
            stopping = true;
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** PostgreSQL and pgbench: the test is skipped without them, and fails in CI ({@link RequiredServer}). */
    private static void requireTools() {
        PostgresServer.get();
        RequiredServer.assume(Files.isExecutable(PGBENCH), "no " + PGBENCH + " (apt-get install postgresql)");
    }
}
