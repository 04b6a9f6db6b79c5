package io.poolpair.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two pools (poolA → poolB) of one store kind in a folder of the bench, started in this process with the
 * export schedule off unless {@code settings} turn it on, so that a measurement triggers one cycle itself.
 */
final class BenchPair implements AutoCloseable {

    static final String A = "poolA";
    static final String B = "poolB";
    static final String MODULE = "UserServices.PresenceFocus";

    final PairFolder folder;
    final BenchStore store;
    final PoolPairRuntime a;
    final PoolPairRuntime b;

    private BenchPair(PairFolder folder, BenchStore store, PoolPairRuntime a, PoolPairRuntime b) {
        this.folder = folder;
        this.store = store;
        this.a = a;
        this.b = b;
    }

    /** Settings every bench pool gets: no schedule (cycles on demand) and a 100 ms share poll. */
    static Map<String, String> onDemand() {
        return Map.of("poolpair.export.on-schedule", "false", "poolpair.import.poll-delay", "PT0.1S");
    }

    static PairFolder prepare(Path dir, BenchStore store, Map<String, String> settings, Map<String, Map<String, String>> perPool)
            throws SQLException {
        PairFolder folder = new PairFolder(dir, PoolConfig.locateHome());
        for (String pool : new String[] {A, B}) {
            Map<String, String> all = new HashMap<>(store.poolSettings(pool));
            all.putAll(settings);
            perPool.put(pool, all);
            folder.config(pool, pool.equals(A) ? B : A, all); // writes <dir>/<pool>.properties
        }
        return folder;
    }

    static BenchPair start(Path dir, BenchStore store, Map<String, String> settings) throws SQLException {
        Map<String, Map<String, String>> perPool = new HashMap<>();
        PairFolder folder = prepare(dir, store, settings, perPool);
        PoolPairRuntime a = PoolPairRuntime.create(folder.config(A, B, perPool.get(A))).start();
        try {
            PoolPairRuntime b = PoolPairRuntime.create(folder.config(B, A, perPool.get(B))).start();
            return new BenchPair(folder, store, a, b);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    Connection connectA() throws SQLException {
        return a.store().dataSource().getConnection();
    }

    Connection connectB() throws SQLException {
        return b.store().dataSource().getConnection();
    }

    /**
     * Runs one export cycle on poolA and waits until poolB has applied every change poolA had captured: the time
     * taken ends at the last apply's commit, not at the end of the cycle (the cycle goes on with the other
     * modules, a status sample and the metrics after publishing this module's batches), which is waited for
     * untimed before returning, so that the next measurement starts from a settled pair.
     *
     * @return nanoseconds from the call to the last apply's commit being visible
     */
    long syncAndAwaitApplied(Duration timeout) throws Exception {
        ChangeLog changes = new ChangeLog(a.store().dataSource());
        ExportState exported = new ExportState(a.store().dataSource());
        ImportState imported = new ImportState(b.store().dataSource(), A);
        // the newest change captured is claimed last (claims go in id order; on PostgreSQL in transaction order, and
        // the bench commits one transaction after the other), so once it is claimed the last batch
        // number is the one that holds it: claiming and numbering commit together. A primary-key lookup every 5 ms:
        // probing for any unclaimed change walked the index entries every claim leaves until a vacuum (12 ms a
        // probe on PostgreSQL at 1,000,000, 29 s of the server's time in a 47 s sync), and counting the backlog
        // took a CPU from the sync it measures
        Long newest = changes.newestUnclaimedId(MODULE);
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        CompletableFuture<Void> cycle = CompletableFuture.runAsync(a::syncNow);
        long last = -1;
        while (true) {
            if (last < 0 && (newest == null || changes.isClaimed(newest))) {
                last = exported.get(MODULE).lastBatch();
            }
            if (last >= 0 && imported.get(MODULE).lastApplied() >= last) {
                break;
            }
            if (cycle.isDone() && last < 0) {
                cycle.join(); // rethrows what failed the cycle
                throw new IllegalStateException("the export cycle left " + changes.pending(MODULE)
                        + " changes unclaimed (more than poolpair.max-batches-per-sync batches?)");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("poolB did not apply " + (last < 0 ? "every change" : "batch " + last)
                        + " within " + timeout);
            }
            Thread.sleep(5);
        }
        long took = System.nanoTime() - started;
        cycle.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return took;
    }

    /** Waits until poolA saw its last batch acknowledged, so the next measurement starts from a settled pair. */
    void awaitAcknowledged(Duration timeout) throws Exception {
        ExportState state = new ExportState(a.store().dataSource());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ExportState.Snapshot s = state.get(MODULE);
            if (s.ackedBatch() >= s.lastBatch()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("poolA saw no acknowledgement of batch " + s.lastBatch());
            }
            Thread.sleep(10);
        }
    }

    /** Bytes poolA has put on poolB's share so far (the poolpair_exported_bytes_total counter). */
    double bytesExported() {
        MeterRegistry meters = a.context().getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        Counter c = meters.find("poolpair.exported").tag("module", MODULE).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
