package io.poolpair.bench;

import io.poolpair.store.TableInfo;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

/**
 * End-to-end delta replication against the raw apply limit, on one pair: N rows committed on poolA, one export
 * cycle triggered, timed until poolB applied the last batch; then the same final rows written into poolB's
 * table by the fastest apply the database offers: on PostgreSQL COPY into a temporary table plus one upsert per
 * 10,000 rows, on H2 batched MERGE. Also records the bytes put on the share per change and the bytes of
 * the same rows as uncompressed NDJSON.
 */
final class DeltaThroughput {

    private static final long WARM_UP = 20_000;

    private final BenchPair pair;
    private final Figures figures;

    DeltaThroughput(BenchPair pair, Figures figures) {
        this.pair = pair;
        this.figures = figures;
    }

    static String deltaId(long n) {
        return "delta-" + n;
    }

    static String rawId(long n) {
        return "raw-" + n;
    }

    /** One uncounted round of both paths, so that the first measured run does not pay for class loading and JIT. */
    private void warmUp(TableInfo table) throws Exception {
        try (Connection a = pair.connectA(); Connection b = pair.connectB()) {
            Workload.insert(a, pair.store.dialect(), "warm", 0, WARM_UP, false);
            pair.syncAndAwaitApplied(Duration.ofMinutes(10));
            pair.awaitAcknowledged(Duration.ofMinutes(5));
            rawApply(b, table, "warm", WARM_UP, 1);
        }
    }

    /** The rows {@code 0..n} of {@code tag} at {@code version} into poolB's table, the fastest way the database has. */
    private void rawApply(Connection b, TableInfo table, String tag, long n, int version) throws Exception {
        if ("postgresql".equals(pair.store.name())) {
            Workload.copyUpsert(b, pair.store.dialect(), tag, 0, n, version);
        } else {
            Workload.write(b, pair.store.dialect(), pair.store.dialect().upsertSql(table, table.columns()), 0, n, true,
                    (ps, i) -> Workload.bindRow(ps, tag, i, version));
        }
    }

    void run(List<Long> sizes, int runs, Progress progress) throws Exception {
        String store = pair.store.name();
        TableInfo table = pair.a.store().catalog().table("user_contact");
        warmUp(table);
        for (long n : sizes) {
            for (int run = 1; run <= runs; run++) {
                String tag = "d" + n + "r" + run;
                try (Connection a = pair.connectA(); Connection b = pair.connectB()) {
                    Workload.clear(a, pair.store.dialect());
                    Workload.clear(b, pair.store.dialect());
                    Workload.insert(a, pair.store.dialect(), tag, 0, n, false);
                    double bytesBefore = pair.bytesExported();
                    long nanos = pair.syncAndAwaitApplied(Duration.ofMinutes(60));
                    double shareBytes = pair.bytesExported() - bytesBefore;
                    long copied = Workload.count(b, null);
                    if (copied != n) {
                        throw new IllegalStateException("poolB holds " + copied + " rows after the sync, not " + n);
                    }
                    pair.awaitAcknowledged(Duration.ofMinutes(5));
                    figures.add(deltaId(n), "delta replication, " + Progress.count(n) + " changes", "changes/s", store,
                            n / (nanos / 1e9));
                    NdjsonCopy.Counting ndjson = new NdjsonCopy.Counting();
                    NdjsonCopy.export(a, pair.store.dialect(), table, null, ndjson);
                    figures.add("share-bytes-" + n, "bytes on the share per change (zip), " + Progress.count(n)
                            + " changes", "bytes", store, shareBytes / n);
                    figures.add("ndjson-bytes-" + n, "uncompressed NDJSON per change, " + Progress.count(n) + " changes",
                            "bytes", store, (double) ndjson.bytes / n);

                    Workload.clear(b, pair.store.dialect());
                    long started = System.nanoTime();
                    rawApply(b, table, tag, n, 0);
                    long rawNanos = System.nanoTime() - started;
                    figures.add(rawId(n), "raw apply limit (PostgreSQL: COPY + one upsert; H2: batched MERGE), "
                            + Progress.count(n) + " rows",
                            "rows/s", store, n / (rawNanos / 1e9));
                    progress.say("%s delta %s run %d: %.0f changes/s (%.2f s), raw apply %.0f rows/s, %.1f share bytes"
                                    + " per change", store, Progress.count(n), run, n / (nanos / 1e9), nanos / 1e9,
                            n / (rawNanos / 1e9), shareBytes / n);
                }
            }
        }
    }
}
