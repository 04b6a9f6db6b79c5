package io.poolpair.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The highest steady change rate a replication keeps up with. A writer commits on the source at a fixed rate for one
 * step (100 commits a second, rate/100 rows each), a probe on the copy records when each row arrived, and the rate is
 * stepped up: doubled from 1,000 changes/s until a step misses, then once between the last kept and the first missed.
 * A rate is sustained when the writer reached it and the lag p99 of its rows is at most {@value #P99_LIMIT_SECONDS} s.
 * Measured for poolpair at PT5S (share polled every second) on each store and for PostgreSQL's logical replication
 * on the same machine, so {@code RATIO sustained/pg-logical} compares the two.
 *
 * <p>Rows reach the copy in commit order (batches apply in number order, a subscription in commit order), so the rows
 * present are always the first n: the probe finds n by binary search over key lookups, cheap at any table size.
 */
final class SustainedRate {

    static final String RATE = "sustained-rate";
    static final String LOGICAL = "sustained-pg-logical";
    static final double P99_LIMIT_SECONDS = 10;
    private static final long FIRST_RATE = 1_000;
    private static final long LAST_RATE = 512_000;
    private static final int COMMITS_PER_SECOND = 100;
    /** How long the copy may take to catch up after a step before stepping stops (the next step would start behind). */
    private static final long DRAIN_NANOS = 300_000_000_000L;

    /** One step's outcome. */
    record Step(long rate, double achieved, double p99, boolean drained) {
        boolean kept() {
            return drained && achieved >= 0.95 * rate && p99 <= P99_LIMIT_SECONDS;
        }
    }

    private final Figures figures;
    private final Progress progress;
    private final int seconds;

    SustainedRate(int seconds, Figures figures, Progress progress) {
        this.seconds = seconds;
        this.figures = figures;
        this.progress = progress;
    }

    /** poolpair's sustained rate on a store: a pair on the PT5S schedule. */
    void measurePoolpair(BenchStore store, Path dir) throws Exception {
        Map<String, String> settings = Map.of("poolpair.export.on-schedule", "true", "poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT1S");
        try (BenchPair pair = BenchPair.start(dir, store, settings); Connection a = pair.connectA();
             Connection b = pair.connectB()) {
            long rate = run(store.label() + " poolpair", "s", a, b, store.name(), "sustained-lag-");
            figures.add(RATE, "sustained rate: lag p99 ≤ 10 s at PT5S", "changes/s", store.name(), rate);
        }
    }

    /** PostgreSQL logical replication's sustained rate, a publisher and a subscriber database of the same cluster. */
    void measureLogical(BenchStore store) throws Exception {
        LogicalReplication.withSubscription(store, (publisher, subscriber) -> {
            long rate = run("PostgreSQL logical replication", "l", publisher, subscriber, store.name(),
                    "sustained-logical-lag-");
            figures.add(LOGICAL, "sustained rate of PostgreSQL logical replication: lag p99 ≤ 10 s", "changes/s",
                    store.name(), rate);
        });
    }

    /** Steps the rate up and returns the highest rate kept (0 when even the first was missed). */
    private long run(String what, String tagPrefix, Connection source, Connection copy, String store, String stepId)
            throws Exception {
        long kept = 0;
        Step last = null;
        for (long rate = FIRST_RATE; rate <= LAST_RATE; rate *= 2) {
            last = step(source, copy, tagPrefix + rate, rate);
            record(what, last, store, stepId);
            if (!last.kept()) {
                break;
            }
            kept = rate;
        }
        // one step between the last kept and the first missed, unless the copy never caught up after the miss
        if (kept > 0 && last != null && !last.kept() && last.drained()) {
            long between = (kept + last.rate()) / 2;
            Step middle = step(source, copy, tagPrefix + "b" + between, between);
            record(what, middle, store, stepId);
            if (middle.kept()) {
                kept = between;
            }
        }
        progress.say("%s sustains %,d changes/s with lag p99 ≤ %.0f s", what, kept, P99_LIMIT_SECONDS);
        return kept;
    }

    private void record(String what, Step step, String store, String stepId) {
        figures.add(stepId + step.rate(), (stepId.contains("logical") ? "PostgreSQL logical replication" : "poolpair")
                + " lag p99 at " + Progress.count(step.rate()) + " changes/s for " + seconds + " s", "s", store, step.p99());
        progress.say("%s at %,d changes/s: achieved %,.0f changes/s, lag p99 %s, %s", what, step.rate(), step.achieved(),
                Double.isInfinite(step.p99()) ? "over the step" : String.format("%.2f s", step.p99()),
                step.kept() ? "kept" : "missed");
    }

    /** Writes {@code rate} changes a second for the step's length and returns the lag of its rows. */
    private Step step(Connection source, Connection copy, String tag, long rate) throws Exception {
        int perCommit = (int) Math.max(1, rate / COMMITS_PER_SECOND);
        int commits = seconds * COMMITS_PER_SECOND;
        int total = commits * perCommit;
        long[] committed = new long[commits];
        long[] seen = new long[total];
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                write(source, tag, perCommit, committed, written);
            } catch (Throwable e) {
                failure.set(e);
                written.set(-1);
            }
        }, "sustained-writer");
        writer.start();
        int visible = 0;
        long drainDeadline = Long.MAX_VALUE;
        try (PreparedStatement probe = copy.prepareStatement(
                "SELECT 1 FROM user_contact WHERE owner_uri = ? AND contact_uri = ?")) {
            while (visible < total) {
                long w = written.get();
                if (w < 0) {
                    break;
                }
                if (!writer.isAlive() && drainDeadline == Long.MAX_VALUE) {
                    drainDeadline = System.nanoTime() + DRAIN_NANOS;
                }
                if (System.nanoTime() > drainDeadline) {
                    break;
                }
                int present = present(probe, tag, visible, (int) w);
                long now = System.nanoTime();
                for (int i = visible; i < present; i++) {
                    seen[i] = now;
                }
                visible = present;
                Thread.sleep(20);
            }
        }
        writer.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the writer failed at " + rate + " changes/s", failure.get());
        }
        double[] lags = new double[total];
        for (int i = 0; i < total; i++) {
            lags[i] = i < visible ? (seen[i] - committed[i / perCommit]) / 1e9 : Double.POSITIVE_INFINITY;
        }
        Arrays.sort(lags);
        double elapsed = (committed[commits - 1] - committed[0]) / 1e9;
        double achieved = elapsed <= 0 ? 0 : (total - perCommit) / elapsed;
        return new Step(rate, achieved, lags[(int) Math.floor(0.99 * (total - 1))], visible == total);
    }

    /** The number of rows of the step present on the copy: rows arrive in order, so it is found by bisection. */
    private static int present(PreparedStatement probe, String tag, int known, int written) throws SQLException {
        int lo = known;
        int hi = written;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            probe.setString(1, Workload.owner(tag, mid));
            probe.setString(2, Workload.contact(mid));
            boolean there;
            try (ResultSet rs = probe.executeQuery()) {
                there = rs.next();
            }
            if (there) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Commits {@code perCommit} rows every 10 ms on schedule (catching up when a commit was slow). */
    private static void write(Connection conn, String tag, int perCommit, long[] committed, AtomicLong written)
            throws Exception {
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(Workload.INSERT)) {
            long every = 1_000_000_000L / COMMITS_PER_SECOND;
            long next = System.nanoTime();
            for (int c = 0; c < committed.length; c++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int j = c * perCommit; j < (c + 1) * perCommit; j++) {
                    Workload.bindRow(ps, tag, j, 0);
                    ps.addBatch();
                }
                ps.executeBatch();
                conn.commit();
                committed[c] = System.nanoTime();
                written.set((long) (c + 1) * perCommit);
                next += every;
            }
        } finally {
            conn.setAutoCommit(auto);
        }
    }
}
