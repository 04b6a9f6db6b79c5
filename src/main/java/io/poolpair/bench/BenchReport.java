package io.poolpair.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bench's results as a markdown table (one row per figure, one column per store, medians), the targets of
 * issue 7 checked against them, and one machine-readable line per target and store, such as
 * {@code RATIO delta/raw-apply@h2:1000000 0.62}.
 */
final class BenchReport {

    /** A target checked against a measured value: met when {@code value >= limit} (or {@code <=}, for a ceiling). */
    record Target(String kind, String name, String description, double value, double limit, boolean ceiling) {
        boolean met() {
            return ceiling ? value <= limit : value >= limit;
        }

        String line() {
            return kind + " " + name + " " + machine(value);
        }
    }

    static final double LAG_LIMIT_SECONDS = 5 + 2; // PT5S interval + 2 s

    private final Figures figures;
    private final BenchOptions options;
    private final List<String> stores;

    BenchReport(Figures figures, BenchOptions options, List<String> stores) {
        this.figures = figures;
        this.options = options;
        this.stores = stores;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| measurement | unit |");
        stores.forEach(s -> md.append(' ').append(label(s)).append(" |"));
        md.append("\n|---|---|");
        stores.forEach(s -> md.append("---:|"));
        md.append('\n');
        for (Figures.Row row : figures.rows()) {
            md.append("| ").append(row.label()).append(" | ").append(row.unit()).append(" |");
            for (String store : stores) {
                Optional<Double> v = figures.median(row.id(), store);
                md.append(' ').append(v.map(BenchReport::format).orElse("–")).append(" |");
            }
            md.append('\n');
        }
        md.append("\nMedians of ").append(options.runs()).append(" run(s) per figure")
                .append(" (lag: percentiles over every change of one steady run per store).\n\n");
        md.append("| target | measured | limit | met |\n|---|---:|---:|---|\n");
        for (Target t : targets()) {
            md.append("| ").append(t.description()).append(" (`").append(t.line()).append("`) | ").append(format(t.value()))
                    .append(" | ").append(t.ceiling() ? "≤ " : "≥ ").append(format(t.limit())).append(" | ")
                    .append(t.met() ? "yes" : "**no**").append(" |\n");
        }
        return md.toString();
    }

    List<String> ratioLines() {
        return targets().stream().map(Target::line).toList();
    }

    boolean allMet() {
        return targets().stream().allMatch(Target::met);
    }

    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        for (String store : stores) {
            for (long n : options.deltaSizes()) {
                ratio(DeltaThroughput.deltaId(n), DeltaThroughput.rawId(n), store).ifPresent(r -> targets.add(new Target("RATIO",
                        "delta/raw-apply@" + store + ":" + n, label(store) + ": delta throughput / raw apply, "
                        + Progress.count(n) + " changes", r, 0.5, false)));
            }
        }
        if (stores.contains("postgresql")) {
            for (long n : options.deltaSizes()) {
                Optional<Double> delta = figures.median(DeltaThroughput.deltaId(n), "postgresql");
                Optional<Double> logical = figures.median(LogicalReplication.id(n), "postgresql");
                if (delta.isPresent() && logical.isPresent()) {
                    targets.add(new Target("RATIO", "delta/pg-logical:" + n, "PostgreSQL: delta throughput / logical"
                            + " replication, " + Progress.count(n) + " changes", delta.get() / logical.get(), 0.5, false));
                }
            }
        }
        Optional<Double> sustained = figures.median(SustainedRate.RATE, "postgresql");
        Optional<Double> sustainedLogical = figures.median(SustainedRate.LOGICAL, "postgresql");
        if (sustained.isPresent() && sustainedLogical.isPresent() && sustainedLogical.get() > 0) {
            targets.add(new Target("RATIO", "sustained/pg-logical", "PostgreSQL: sustained rate (lag p99 ≤ 10 s at PT5S)"
                    + " / logical replication's", sustained.get() / sustainedLogical.get(), 0.5, false));
        }
        for (String store : stores) {
            ratio(StoreSize.LARGE, StoreSize.SMALL, store).ifPresent(r -> targets.add(new Target("RATIO",
                    "store-" + shortCount(options.largeStore()) + "/store-" + shortCount(options.smallStore()) + "@" + store,
                    label(store) + ": time of 1,000 changes on a " + Progress.count(options.largeStore()) + "-row / "
                            + Progress.count(options.smallStore()) + "-row store", r, 1.5, true)));
            ratio(FullCopy.COPY_TIME, FullCopy.DELTA_TIME, store).ifPresent(r -> targets.add(new Target("RATIO",
                    "fullcopy/delta@" + store, label(store) + ": full copy time / delta sync time at 1 % changed", r, 50,
                    false)));
            ratio(VerifyCost.TIME, FullCopy.COPY_TIME, store).ifPresent(r -> targets.add(new Target("RATIO",
                    "verify-" + shortCount(options.largeStore()) + "/fullcopy-" + shortCount(options.largeStore()) + "@" + store,
                    label(store) + ": verify time / full copy time, " + Progress.count(options.largeStore()) + " rows", r, 0.2,
                    true)));
            ratio(FullCopy.COPY_BYTES, FullCopy.DELTA_BYTES, store).ifPresent(r -> targets.add(new Target("RATIO",
                    "fullcopy-bytes/delta-bytes@" + store, label(store) + ": full copy bytes / delta bytes at 1 % changed", r,
                    50, false)));
            for (String op : List.of("insert", "update")) {
                ratio(CaptureCost.id(op, true), CaptureCost.id(op, false), store).ifPresent(r -> targets.add(new Target(
                        "RATIO", "capture/no-capture@" + store + ":" + op, label(store) + ": " + op
                        + " throughput with capture / without", r, 0.67, false)));
            }
            for (String op : List.of(CaptureCost.MULTI_INSERT, CaptureCost.MULTI_UPDATE)) {
                ratio(CaptureCost.id(op, true), CaptureCost.id(op, false), store).ifPresent(r -> targets.add(new Target(
                        "RATIO", "capture/no-capture@" + store + ":" + op, label(store) + ": " + op + " throughput ("
                        + Progress.count(CaptureCost.ROWS_PER_STATEMENT) + " rows a statement) with capture / without", r,
                        0.85, false)));
            }
            for (String what : List.of(PeakHeap.BACKLOG, PeakHeap.FULL_SYNC)) {
                for (String side : List.of(PeakHeap.SENDER, PeakHeap.RECEIVER)) {
                    figures.median(PeakHeap.id(what, side), store).ifPresent(v -> targets.add(new Target("HEAP-MIB",
                            what + "-" + shortCount(options.heapRows()) + "-" + side + "@" + store, label(store) + ": peak heap of the "
                            + side + ", " + what + " of " + Progress.count(options.heapRows()) + " (completed with -Xmx256m;"
                            + " -1: did not)", v < 0 ? Double.POSITIVE_INFINITY : v, 256, true)));
                }
            }
            figures.median(ReplicationLag.P99, store).ifPresent(v -> targets.add(new Target("LAG-P99-S", "pt5s@" + store,
                    label(store) + ": replication lag p99, PT5S interval, 1,000 changes/s", v, LAG_LIMIT_SECONDS, true)));
        }
        return targets;
    }

    private Optional<Double> ratio(String numerator, String denominator, String store) {
        Optional<Double> n = figures.median(numerator, store);
        Optional<Double> d = figures.median(denominator, store);
        return n.isPresent() && d.isPresent() && d.get() != 0 ? Optional.of(n.get() / d.get()) : Optional.empty();
    }

    static String label(String store) {
        return store.equals("h2") ? "H2" : "PostgreSQL";
    }

    static String shortCount(long n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? n / 1_000_000 + "m" : n >= 1000 && n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
    }

    /** Without thousands separators: {@code 0.62}, {@code 80}, {@code -1} for "did not complete". */
    static String machine(double v) {
        if (Double.isInfinite(v)) {
            return "-1";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String format(double v) {
        if (Double.isInfinite(v)) {
            return "-1";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
