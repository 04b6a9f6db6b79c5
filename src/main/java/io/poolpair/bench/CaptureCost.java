package io.poolpair.bench;

import io.poolpair.state.ChangeLog;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

/**
 * The write-path cost of capture: insert and update throughput of the same rows into a database that
 * poolpair captures (its triggers installed by a pool started on it) and into one without poolpair.
 */
final class CaptureCost {

    private CaptureCost() {
    }

    static String id(String op, boolean captured) {
        return op + (captured ? "-capture" : "-plain");
    }

    static void measure(BenchStore store, Path dir, long rows, int runs, Figures figures, Progress progress) throws Exception {
        Dialect dialect = store.dialect();
        PairFolder folder = new PairFolder(dir, PoolConfig.locateHome());
        Map<String, String> settings = new HashMap<>(store.poolSettings("capture"));
        settings.putAll(BenchPair.onDemand());
        try (PoolPairRuntime pool = PoolPairRuntime.create(folder.config(BenchPair.A, BenchPair.B, settings));
             Connection captured = pool.store().dataSource().getConnection();
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
                    Workload.clear(conn, dialect);
                    if (withCapture) {
                        ChangeLog.clear(conn); // the pool is never synced here
                    }
                }
            }
        }
    }

    private static void record(Figures figures, BenchStore store, long rows, boolean withCapture, long insertNanos,
                               long updateNanos) {
        figures.add(id("insert", withCapture), "insert " + (withCapture ? "with" : "without") + " capture, "
                + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (insertNanos / 1e9));
        figures.add(id("update", withCapture), "update " + (withCapture ? "with" : "without") + " capture, "
                + Progress.count(rows) + " rows", "rows/s", store.name(), rows / (updateNanos / 1e9));
    }
}
