package io.poolpair.bench;

import io.poolpair.store.TableInfo;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

/**
 * Delta sync against a naive full copy when 1 % of the rows changed: the changed rows replicated end to end
 * by poolpair (time and bytes put on the share), then every row exported from poolA as NDJSON and imported
 * into poolB in place of its copy (time and file size).
 */
final class FullCopy {

    static final String DELTA_TIME = "onepct-delta-time";
    static final String COPY_TIME = "fullcopy-time";
    static final String DELTA_BYTES = "onepct-delta-bytes";
    static final String COPY_BYTES = "fullcopy-bytes";

    private FullCopy() {
    }

    /** On a pair seeded with {@code rows} rows by {@link StoreSize#seed}. */
    static void measure(BenchPair pair, long rows, int runs, Path dir, Figures figures, Progress progress) throws Exception {
        String store = pair.store.name();
        String size = Progress.count(rows);
        TableInfo table = pair.a.store().catalog().table("user_contact");
        long changed = rows / 100;
        Files.createDirectories(dir);
        Path file = dir.resolve("user_contact.ndjson");
        for (int run = 1; run <= runs; run++) {
            long from = rows / 2 + (run - 1) * changed % (rows / 2);
            try (Connection a = pair.connectA(); Connection b = pair.connectB()) {
                Workload.update(a, pair.store.dialect(), "s", from, from + changed, 200 + run, false);
                double before = pair.bytesExported();
                long deltaNanos = pair.syncAndAwaitApplied(Duration.ofMinutes(30));
                double deltaBytes = pair.bytesExported() - before;
                pair.awaitAcknowledged(Duration.ofMinutes(5));

                long started = System.nanoTime();
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                    NdjsonCopy.export(a, pair.store.dialect(), table, null, out);
                }
                long imported = NdjsonCopy.importAll(b, pair.store.dialect(), table, Workload.OWNER, file);
                long copyNanos = System.nanoTime() - started;
                Workload.settle(b);
                if (imported != rows) {
                    throw new IllegalStateException("the full copy moved " + imported + " rows, not " + rows);
                }
                long copyBytes = Files.size(file);
                figures.add(DELTA_TIME, "1 % of " + size + " rows changed: delta sync", "s", store, deltaNanos / 1e9);
                figures.add(COPY_TIME, "1 % of " + size + " rows changed: full copy (NDJSON export + import)", "s", store,
                        copyNanos / 1e9);
                figures.add(DELTA_BYTES, "1 % of " + size + " rows changed: delta bytes on the share", "bytes", store,
                        deltaBytes);
                figures.add(COPY_BYTES, "1 % of " + size + " rows changed: full copy bytes", "bytes", store, copyBytes);
                progress.say("%s 1 %% of %s rows run %d: delta %.2f s %,.0f bytes; full copy %.2f s %,d bytes", store, size,
                        run, deltaNanos / 1e9, deltaBytes, copyNanos / 1e9, copyBytes);
            }
        }
        Files.deleteIfExists(file);
    }
}
