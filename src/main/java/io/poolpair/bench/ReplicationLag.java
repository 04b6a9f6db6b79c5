package io.poolpair.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replication lag under a steady writer: a pair on its own PT5S schedule (share polled every second, the
 * default), a writer committing 10 rows every 10 ms (1,000 changes/s) on poolA, and a probe counting poolB's
 * copy every 20 ms. One writer commits in order and batches apply in order, so when poolB holds c rows the
 * first c rows are there; each row's lag is the first probe that saw it minus its commit time.
 */
final class ReplicationLag {

    static final String P50 = "lag-p50";
    static final String P99 = "lag-p99";
    private static final int ROWS_PER_COMMIT = 10;
    private static final long COMMIT_EVERY_NANOS = 10_000_000L;

    private ReplicationLag() {
    }

    static void measure(BenchStore store, Path dir, int seconds, Figures figures, Progress progress) throws Exception {
        Map<String, String> settings = Map.of("poolpair.export.on-schedule", "true", "poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT1S");
        try (BenchPair pair = BenchPair.start(dir, store, settings)) {
            int total = seconds * 1000;
            long[] committed = new long[total];
            long[] seen = new long[total];
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> write(pair, committed, written), "lag-writer");
            long started = System.nanoTime();
            writer.start();
            try (Connection b = pair.connectB()) {
                int visible = 0;
                long deadline = started + (seconds + 60) * 1_000_000_000L;
                while (visible < total && System.nanoTime() < deadline) {
                    int count = (int) Math.min(Workload.count(b, null), written.get());
                    long now = System.nanoTime();
                    for (int i = visible; i < count; i++) {
                        seen[i] = now;
                    }
                    visible = Math.max(visible, count);
                    Thread.sleep(20);
                }
                writer.join();
                if (visible < total) {
                    throw new IllegalStateException("poolB holds " + visible + " of " + total + " rows a minute after"
                            + " the writer stopped");
                }
            }
            double elapsed = (committed[total - 1] - committed[0]) / 1e9;
            double[] lags = new double[total];
            for (int i = 0; i < total; i++) {
                lags[i] = (seen[i] - committed[i]) / 1e9;
            }
            Arrays.sort(lags);
            double p50 = lags[(int) Math.floor(0.50 * (total - 1))];
            double p99 = lags[(int) Math.floor(0.99 * (total - 1))];
            figures.add(P50, "replication lag p50, PT5S interval, 1,000 changes/s for " + seconds + " s", "s", store.name(), p50);
            figures.add(P99, "replication lag p99, PT5S interval, 1,000 changes/s for " + seconds + " s", "s", store.name(), p99);
            figures.add("lag-rate", "writer rate achieved during the lag measurement", "changes/s", store.name(),
                    total / elapsed);
            progress.say("%s lag: p50 %.2f s, p99 %.2f s, max %.2f s at %.0f changes/s", store.name(), p50, p99,
                    lags[total - 1], total / elapsed);
        }
    }

    /** Commits 10 rows every 10 ms on schedule (catching up if a commit was slow) and records each commit time. */
    private static void write(BenchPair pair, long[] committed, AtomicLong written) {
        try (Connection a = pair.connectA(); PreparedStatement ps = a.prepareStatement(Workload.INSERT)) {
            a.setAutoCommit(false);
            long next = System.nanoTime();
            for (int i = 0; i < committed.length; i += ROWS_PER_COMMIT) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int j = i; j < i + ROWS_PER_COMMIT; j++) {
                    Workload.bindRow(ps, "lag", j, 0);
                    ps.addBatch();
                }
                ps.executeBatch();
                a.commit();
                long now = System.nanoTime();
                for (int j = i; j < i + ROWS_PER_COMMIT; j++) {
                    committed[j] = now;
                }
                written.set(i + ROWS_PER_COMMIT);
                next += COMMIT_EVERY_NANOS;
            }
        } catch (Exception e) {
            throw new IllegalStateException("the lag writer failed", e);
        }
    }
}
