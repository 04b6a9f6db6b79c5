package io.poolpair.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.SqlScript;
import io.poolpair.store.StoreConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Peak heap with {@code -Xmx256m}: both pools run as child JVMs limited to 256 MiB ({@link HeapWatch} around
 * {@code run} for the receiver and {@code sync --wait} for the sender), once for a backlog of N captured
 * changes and once for a full sync of N rows. A child that fails (e.g. OutOfMemoryError) is reported as -1.
 */
final class PeakHeap {

    static final String BACKLOG = "backlog";
    static final String FULL_SYNC = "full-sync";
    static final String SENDER = "sender";
    static final String RECEIVER = "receiver";
    /** The command line the children run under {@link HeapWatch}: named, not imported (the bench sits under cli). */
    static final String COMMAND_MAIN = "io.poolpair.cli.PoolPairCommand";

    private PeakHeap() {
    }

    static String id(String what, String side) {
        return "heap-" + what + "-" + side;
    }

    static void measure(BenchStore store, Path dir, long rows, int run, Figures figures, Progress progress) throws Exception {
        for (String what : List.of(BACKLOG, FULL_SYNC)) {
            Path runDir = dir.resolve(what + "-" + run);
            Map<String, Map<String, String>> perPool = new HashMap<>();
            Map<String, String> settings = new HashMap<>(BenchPair.onDemand());
            PairFolder folder = BenchPair.prepare(runDir, store, settings, perPool);
            PoolConfig a = folder.config(BenchPair.A, BenchPair.B, perPool.get(BenchPair.A));
            long seeding = System.nanoTime();
            if (what.equals(BACKLOG)) {
                try (PoolPairRuntime pool = PoolPairRuntime.create(a); Connection conn = pool.store().dataSource().getConnection()) {
                    Workload.insert(conn, store.dialect(), "h", 0, rows, false); // captured: the backlog
                }
            } else {
                try (HikariDataSource ds = StoreConnection.open(a); Connection conn = ds.getConnection()) {
                    SqlScript.run(conn, store.demoSchema());
                    Workload.insert(conn, store.dialect(), "h", 0, rows, false); // before poolpair: owed as a full sync
                }
            }
            progress.say("%s %s of %s: seeded in %.0f s; sender and receiver start with -Xmx256m", store.name(), what,
                    Progress.count(rows), (System.nanoTime() - seeding) / 1e9);
            Path receiverPeak = runDir.resolve("receiver.peak");
            Path senderPeak = runDir.resolve("sender.peak");
            Process receiver = child(runDir, receiverPeak, perPool.get(BenchPair.B), "receiver.log", "run", "--config",
                    folder.dir().resolve(BenchPair.B + ".properties").toString());
            long started = System.nanoTime();
            boolean completed;
            try {
                List<String> sync = new ArrayList<>(List.of("sync", "--config",
                        folder.dir().resolve(BenchPair.A + ".properties").toString(), "--wait", "--timeout", "PT60M"));
                if (what.equals(FULL_SYNC)) {
                    sync.add("--full");
                }
                Process sender = child(runDir, senderPeak, perPool.get(BenchPair.A), "sender.log", sync.toArray(String[]::new));
                completed = sender.waitFor(65, TimeUnit.MINUTES) && sender.exitValue() == 0;
                if (!completed) {
                    sender.destroyForcibly();
                }
            } finally {
                receiver.destroy(); // SIGTERM: the receiver's shutdown hook writes its peak
                if (!receiver.waitFor(60, TimeUnit.SECONDS)) {
                    receiver.destroyForcibly();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double sender = completed ? peak(senderPeak, 0) : -1;
            double received = completed ? peak(receiverPeak, 0) : -1;
            String label = what.equals(BACKLOG) ? Progress.count(rows) + "-change backlog" : Progress.count(rows) + "-row full sync";
            figures.add(id(what, SENDER), "peak heap of the sender (-Xmx256m), " + label, "MiB", store.name(), sender);
            figures.add(id(what, RECEIVER), "peak heap of the receiver (-Xmx256m), " + label, "MiB", store.name(), received);
            figures.add(id(what, SENDER + "-live"), "peak live heap (after a collection) of the sender, " + label, "MiB",
                    store.name(), completed ? peak(senderPeak, 1) : -1);
            figures.add(id(what, RECEIVER + "-live"), "peak live heap (after a collection) of the receiver, " + label, "MiB",
                    store.name(), completed ? peak(receiverPeak, 1) : -1);
            figures.add(id(what, "seconds"), "time of the " + label + " with -Xmx256m (both sides)", "s", store.name(), seconds);
            progress.say("%s %s: %s in %.0f s; peak heap sender %.0f MiB, receiver %.0f MiB%s", store.name(), label,
                    completed ? "completed" : "FAILED", seconds, sender, received,
                    completed ? "" : " (see " + runDir.resolve("sender.log") + ")");
            if (completed) {
                Bench.deleteTree(runDir);
                if (store.isPostgres()) {
                    store.server().dropDatabase(databaseOf(perPool.get(BenchPair.A)));
                    store.server().dropDatabase(databaseOf(perPool.get(BenchPair.B)));
                }
            }
        }
    }

    private static String databaseOf(Map<String, String> settings) {
        String url = settings.get("poolpair.datasource.url");
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** Field {@code field} of a {@link HeapWatch} file: 0 peak used, 1 peak after a collection. */
    private static double peak(Path file, int field) throws Exception {
        return Files.exists(file) ? Double.parseDouble(Files.readString(file).trim().split(" ")[field]) : -1;
    }

    private static Process child(Path dir, Path peakFile, Map<String, String> settings, String log, String... command)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.awt.headless=true", "-Dpoolpair.home=" + PoolConfig.locateHome(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapWatch.class.getName(), peakFile.toString(),
                COMMAND_MAIN));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }
}
