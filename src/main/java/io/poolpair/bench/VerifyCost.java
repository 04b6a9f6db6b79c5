package io.poolpair.bench;

import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.verify.Verifier;
import io.poolpair.verify.VerifyReport;
import java.time.Duration;

/**
 * {@code verify} of the large store's {@code user_contact} (both pools hold the same rows): its time, to set against
 * the time of a full copy ({@code RATIO verify-1m/fullcopy-1m}), and the bytes of the verification files both pools
 * wrote into each other's shares.
 */
final class VerifyCost {

    static final String TIME = "verify-time";
    static final String BYTES = "verify-bytes";

    private VerifyCost() {
    }

    static void measure(BenchPair pair, long rows, int runs, Figures figures, Progress progress) throws Exception {
        String store = pair.store.name();
        String size = Progress.count(rows);
        pair.awaitAcknowledged(Duration.ofMinutes(5));
        for (int run = 1; run <= runs; run++) {
            long before = verifier(pair.a).bytesWritten() + verifier(pair.b).bytesWritten();
            long started = System.nanoTime();
            VerifyReport report = verifier(pair.a).verify(pair.a.context(), BenchPair.MODULE, "user_contact", false, false,
                    Duration.ofMinutes(30));
            long nanos = System.nanoTime() - started;
            long bytes = verifier(pair.a).bytesWritten() + verifier(pair.b).bytesWritten() - before;
            VerifyReport.ModuleResult m = report.modules().get(0);
            if (!m.result().equals("equal") || m.rowsCompared() != rows) {
                throw new IllegalStateException("verify of the " + size + "-row copies found " + m.result() + ", "
                        + m.differences() + " differing and " + m.inFlight() + " in flight of " + m.rowsCompared()
                        + " rows: the bench's copies should be equal");
            }
            figures.add(TIME, "verify of a " + size + "-row table (copies equal)", "s", store, nanos / 1e9);
            figures.add(BYTES, "verify of a " + size + "-row table: bytes through the shares", "bytes", store, bytes);
            progress.say("%s verify of %s rows run %d: %.2f s, %,d bytes through the shares", store, size, run, nanos / 1e9,
                    bytes);
        }
    }

    private static Verifier verifier(PoolPairRuntime pool) {
        return pool.context().getRegistry().lookupByNameAndType("verifier", Verifier.class);
    }
}
