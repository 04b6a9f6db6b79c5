package io.poolpair.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import io.poolpair.config.PoolConfig;

/**
 * One bench run: every selected measurement on every selected store, then the table, the RATIO lines and the
 * chart. PostgreSQL runs in a throwaway cluster of the bench with {@code wal_level=logical}, so that its own
 * logical replication is measured on the same server as poolpair.
 */
public final class Bench {

    private final BenchOptions options;
    private final PrintWriter out;
    private final Progress progress;
    private final Figures figures = new Figures();

    public Bench(BenchOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
        this.progress = new Progress(out);
    }

    /** Runs the bench; true when every target it measured is met. */
    public boolean run() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path home = PoolConfig.locateHome();
        Path scratch = options.out().resolve("data");
        deleteTree(scratch);
        Files.createDirectories(scratch);
        progress.say("bench %s, %d run(s) per figure, stores %s, measurements %s", options.quick() ? "--quick" : "(full)",
                options.runs(), options.stores(), options.only().isEmpty() ? "all" : options.only());
        List<BenchStore> stores = new ArrayList<>();
        LocalPostgres postgres = null;
        try {
            if (options.stores().contains("h2")) {
                stores.add(BenchStore.h2(home, scratch.resolve("h2")));
            }
            if (options.stores().contains("postgresql")) {
                try {
                    postgres = LocalPostgres.start(List.of("wal_level=logical", "max_wal_senders=10",
                            "max_replication_slots=10", "shared_buffers=256MB"));
                    progress.say("PostgreSQL %s cluster on 127.0.0.1:%d (wal_level=logical)", postgres.version(),
                            postgres.port());
                    stores.add(BenchStore.postgres(home, scratch.resolve("postgresql"), postgres));
                } catch (Exception e) {
                    progress.say("PostgreSQL skipped: %s", e.getMessage());
                }
            }
            for (BenchStore store : stores) {
                measure(store, scratch.resolve(store.name()));
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
        BenchReport report = new BenchReport(figures, options, stores.stream().map(BenchStore::name).toList());
        String markdown = report.markdown();
        out.println();
        out.print(markdown);
        Files.writeString(options.out().resolve("bench.md"), markdown);
        Path chart = options.out().resolve("bench.png");
        BenchChart charts = new BenchChart(figures, stores.stream().map(BenchStore::name).toList());
        charts.write(chart);
        if (charts.writeSustained(options.out().resolve("bench-sustained.png"))) {
            out.println("wrote " + options.out().resolve("bench-sustained.png"));
        }
        out.println();
        report.ratioLines().forEach(out::println);
        out.println();
        out.println("wrote " + options.out().resolve("bench.md") + " and " + chart);
        out.flush();
        return report.allMet();
    }

    private void measure(BenchStore store, Path dir) throws Exception {
        Files.createDirectories(dir);
        if (options.runs("delta")) {
            progress.say("%s: delta replication and raw apply", store.label());
            try (BenchPair pair = BenchPair.start(dir.resolve("delta"), store, BenchPair.onDemand())) {
                new DeltaThroughput(pair, figures).run(options.deltaSizes(), options.runs(), progress);
            }
        }
        if (options.runs("logical") && store.isPostgres()) {
            progress.say("%s: its own logical replication", store.label());
            new LogicalReplication(figures, progress).run(store, options.deltaSizes(), options.runs());
        }
        if (options.runs("store-size") || options.runs("full-copy") || options.runs("verify")) {
            if (options.runs("store-size")) {
                progress.say("%s: 1,000 changes on a %s-row store", store.label(), Progress.count(options.smallStore()));
                try (BenchPair pair = BenchPair.start(dir.resolve("store-small"), store, BenchPair.onDemand())) {
                    StoreSize.seed(pair, options.smallStore());
                    StoreSize.measure(pair, options.smallStore(), StoreSize.SMALL, options.runs(), figures, progress);
                }
            }
            progress.say("%s: seeding a %s-row store on both pools", store.label(), Progress.count(options.largeStore()));
            try (BenchPair pair = BenchPair.start(dir.resolve("store-large"), store, BenchPair.onDemand())) {
                StoreSize.seed(pair, options.largeStore());
                if (options.runs("store-size")) {
                    StoreSize.measure(pair, options.largeStore(), StoreSize.LARGE, options.runs(), figures, progress);
                }
                if (options.runs("full-copy")) {
                    FullCopy.measure(pair, options.largeStore(), options.runs(), dir.resolve("full-copy"), figures, progress);
                }
                if (options.runs("verify")) {
                    VerifyCost.measure(pair, options.largeStore(), options.runs(), figures, progress);
                }
            }
        }
        if (options.runs("capture")) {
            progress.say("%s: write throughput with and without capture", store.label());
            CaptureCost.measure(store, dir.resolve("capture"), options.captureRows(), options.runs(), figures, progress);
        }
        if (options.runs("heap")) {
            for (int run = 1; run <= options.heapRuns(); run++) {
                PeakHeap.measure(store, dir.resolve("heap"), options.heapRows(), run, figures, progress);
            }
        }
        if (options.runs("lag")) {
            progress.say("%s: replication lag under a steady writer for %d s", store.label(), options.lagSeconds());
            ReplicationLag.measure(store, dir.resolve("lag"), options.lagSeconds(), figures, progress);
        }
        if (options.runs("sustained")) {
            SustainedRate sustained = new SustainedRate(options.sustainedStepSeconds(), figures, progress);
            progress.say("%s: the highest change rate kept with lag p99 ≤ 10 s, %d s a step", store.label(),
                    options.sustainedStepSeconds());
            sustained.measurePoolpair(store, dir.resolve("sustained"));
            if (store.isPostgres()) {
                sustained.measureLogical(store);
            }
        }
        progress.say("%s done", store.label());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
