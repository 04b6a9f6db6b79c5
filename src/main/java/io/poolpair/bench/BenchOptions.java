package io.poolpair.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a bench run measures and how big.
 *
 * @param quick small sizes of the same measurements (finishes in minutes)
 * @param runs runs per figure, each figure reported as the median
 * @param out folder for bench.md, bench.png and the run's scratch data
 * @param only the measurements to run (empty: all), names as in {@link #MEASUREMENTS}
 * @param stores {@code h2}, {@code postgresql}
 */
public record BenchOptions(boolean quick, int runs, Path out, Set<String> only, List<String> stores) {

    public static final List<String> MEASUREMENTS = List.of("delta", "logical", "store-size", "full-copy", "verify",
            "capture", "heap", "lag", "sustained");

    boolean runs(String measurement) {
        return only.isEmpty() || only.contains(measurement);
    }

    /** Changes per end-to-end delta measurement. */
    List<Long> deltaSizes() {
        return quick ? List.of(10_000L, 30_000L) : List.of(10_000L, 100_000L, 1_000_000L);
    }

    /** The small and the large store of the store-size measurement (1,000 changes each). */
    long smallStore() {
        return 10_000;
    }

    long largeStore() {
        return quick ? 100_000 : 1_000_000;
    }

    /** Rows of the backlog and of the full sync run under -Xmx256m. */
    long heapRows() {
        return quick ? 20_000 : 1_000_000;
    }

    /** Runs of the heap measurement: each starts two JVMs, so --quick measures it once. */
    int heapRuns() {
        return quick ? 1 : runs;
    }

    /** Rows written with and without capture. */
    long captureRows() {
        return quick ? 30_000 : 200_000;
    }

    /** Seconds of each rate step of the sustained-rate measurement. */
    int sustainedStepSeconds() {
        return quick ? 15 : 60;
    }

    /** Seconds of steady writing in the lag measurement. */
    int lagSeconds() {
        return quick ? 15 : 120;
    }
}
