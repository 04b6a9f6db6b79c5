package io.poolpair.bench;

import java.sql.Connection;
import java.time.Duration;

/**
 * Whether cost grows with the changes and not with the store: 1,000 updates replicated end to end on a pair
 * whose copies already hold a small store, then on a pair holding a large one.
 */
final class StoreSize {

    static final String SMALL = "store-small";
    static final String LARGE = "store-large";
    static final int CHANGES = 1_000;

    private StoreSize() {
    }

    /** Copies the same {@code rows} into both pools without capturing them (as if replicated long ago). */
    static void seed(BenchPair pair, long rows) throws Exception {
        try (Connection a = pair.connectA(); Connection b = pair.connectB()) {
            Workload.insert(a, pair.store.dialect(), "s", 0, rows, true);
            Workload.insert(b, pair.store.dialect(), "s", 0, rows, true);
        }
    }

    /** Replicates {@value #CHANGES} updates {@code runs} times on a pair seeded with {@code rows} rows. */
    static void measure(BenchPair pair, long rows, String id, int runs, Figures figures, Progress progress) throws Exception {
        for (int run = 0; run <= runs; run++) { // run 0 warms the pair up and is not counted
            long from = (long) run * CHANGES % rows;
            try (Connection a = pair.connectA()) {
                Workload.update(a, pair.store.dialect(), "s", from, from + CHANGES, 100 + run, false);
            }
            long nanos = pair.syncAndAwaitApplied(Duration.ofMinutes(10));
            pair.awaitAcknowledged(Duration.ofMinutes(5));
            if (run == 0) {
                continue;
            }
            figures.add(id, "1,000 changes on a " + Progress.count(rows) + "-row store, end to end", "s", pair.store.name(),
                    nanos / 1e9);
            progress.say("%s 1,000 changes on %s rows run %d: %.3f s", pair.store.name(), Progress.count(rows), run,
                    nanos / 1e9);
        }
    }
}
