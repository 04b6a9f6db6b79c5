package io.poolpair.demo;

import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.TableInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The two-pool demo: poolA and poolB on H2 with local folders as shares, writes on both, replication both
 * ways on the Quartz schedule, then a side-by-side comparison per module.
 */
public final class Demo {

    private static final String A = "poolA";
    private static final String B = "poolB";

    private final Path dir;
    private final boolean keepDir;
    private final int rounds;
    private final String interval;
    private final Duration timeout;
    private final boolean verbose;
    private final PrintStream out;

    public Demo(Path dir, int rounds, String interval, Duration timeout, boolean verbose, PrintStream out) {
        this.dir = dir;
        this.keepDir = dir != null;
        this.rounds = rounds;
        this.interval = interval;
        this.timeout = timeout;
        this.verbose = verbose;
        this.out = out;
    }

    /** Runs the demo; true when both pools end with identical copies. */
    public boolean run() throws Exception {
        if (!verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Path folder = keepDir ? Files.createDirectories(dir) : Files.createTempDirectory("poolpair-demo-");
        PairFolder pair = new PairFolder(folder, PoolConfig.locateHome());
        Map<String, String> overrides = Map.of("poolpair.sync-interval", interval, "poolpair.import.poll-delay", "PT0.2S");
        out.printf("poolpair demo: poolA and poolB on H2, shares under %s, sync interval %s%n", folder, interval);
        boolean match;
        try (PoolPairRuntime a = PoolPairRuntime.create(pair.config(A, B, overrides)).start();
             PoolPairRuntime b = PoolPairRuntime.create(pair.config(B, A, overrides)).start()) {
            DemoWriter writerA = withContent(new DemoWriter(a.store().dataSource(), A, 1_000_000L, 1), a);
            DemoWriter writerB = withContent(new DemoWriter(b.store().dataSource(), B, 2_000_000L, 2), b);
            for (int round = 1; round <= rounds; round++) {
                int wroteA = writerA.writeRound(round);
                int wroteB = writerB.writeRound(round);
                out.printf("round %d/%d: wrote %d row changes on poolA and %d on poolB; replicating ...%n", round, rounds,
                        wroteA, wroteB);
                long started = System.nanoTime();
                if (!awaitSettled(a, b)) {
                    out.printf("  not settled after %s%n", timeout);
                    break;
                }
                out.printf("  both directions applied and acknowledged after %.1f s%n", (System.nanoTime() - started) / 1e9);
            }
            match = report(a, b);
        } finally {
            if (!keepDir) {
                deleteTree(folder);
            }
        }
        out.println(match ? "RESULT: the copies match on both pools" : "RESULT: the copies DIFFER");
        return match;
    }

    private boolean awaitSettled(PoolPairRuntime a, PoolPairRuntime b) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (PairProbe.settled(a, b)) {
                return true;
            }
            String progress = progress(a, b);
            if (!progress.equals(last)) {
                out.println("  " + progress);
                last = progress;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static String progress(PoolPairRuntime a, PoolPairRuntime b) throws Exception {
        List<String> parts = new ArrayList<>();
        for (PoolPairRuntime[] dir : new PoolPairRuntime[][] {{a, b}, {b, a}}) {
            long pending = 0;
            long exported = 0;
            long applied = 0;
            long acked = 0;
            for (ModuleConfig m : a.config().modules()) {
                PairProbe.Direction d = PairProbe.direction(dir[0], dir[1], m.name());
                pending += d.pending();
                exported += d.exported();
                applied += d.applied();
                acked += d.acknowledged();
            }
            parts.add(String.format("%s→%s: %d changes waiting for the next cycle, batches exported %d, applied %d,"
                    + " acknowledged %d", dir[0].config().pool(), dir[1].config().pool(), pending, exported, applied, acked));
        }
        return String.join(" | ", parts);
    }

    private boolean report(PoolPairRuntime a, PoolPairRuntime b) throws Exception {
        boolean allMatch = true;
        for (ModuleConfig module : a.config().modules()) {
            PairProbe.Direction ab = PairProbe.direction(a, b, module.name());
            PairProbe.Direction ba = PairProbe.direction(b, a, module.name());
            out.println();
            out.println("Module " + module.name());
            String row = "  %-42s %8s %8s%n";
            out.printf(row, "", A, B);
            out.printf(row, "batches exported", ab.exported(), ba.exported());
            out.printf(row, "batches applied (from the peer)", ba.applied(), ab.applied());
            out.printf(row, "batches acknowledged by the peer", ab.acknowledged(), ba.acknowledged());
            boolean moduleMatch = true;
            for (TableInfo table : a.store().catalog().tables(module.name())) {
                var rowsA = StoreComparison.rows(a.store().dataSource(), a.store().dialect(), table);
                var rowsB = StoreComparison.rows(b.store().dataSource(), b.store().dialect(),
                        b.store().catalog().table(table.name()));
                String owner = module.ownerColumn().orElse(null);
                Map<String, Long> perOwnerA = StoreComparison.rowsPerOwner(rowsA, owner);
                Map<String, Long> perOwnerB = StoreComparison.rowsPerOwner(rowsB, owner);
                for (String o : new TreeSet<>(Stream.concat(perOwnerA.keySet().stream(), perOwnerB.keySet().stream()).toList())) {
                    out.printf(row, table.name() + " rows homed on " + o, perOwnerA.getOrDefault(o, 0L),
                            perOwnerB.getOrDefault(o, 0L));
                }
                moduleMatch &= rowsA.equals(rowsB);
            }
            if (module.contentDir().isPresent()) {
                boolean filesMatch = contentMatches(a, b, module);
                out.printf(row, "content files match (every byte)", filesMatch ? "yes" : "NO", "");
                moduleMatch &= filesMatch;
            }
            out.printf(row, "copies match (every column)", moduleMatch ? "yes" : "NO", "");
            allMatch &= moduleMatch;
        }
        out.println();
        return allMatch;
    }

    private static DemoWriter withContent(DemoWriter writer, PoolPairRuntime pool) {
        return pool.config().modules().stream().filter(m -> m.contentDir().isPresent()).findFirst()
                .map(m -> writer.withContent(m.contentDir().get())).orElse(writer);
    }

    /** Every file in either pool's content folder is on both, byte for byte. */
    private static boolean contentMatches(PoolPairRuntime a, PoolPairRuntime b, ModuleConfig module) throws IOException {
        Path dirA = a.config().module(module.name()).contentDir().orElseThrow();
        Path dirB = b.config().module(module.name()).contentDir().orElseThrow();
        java.util.Set<Path> files = new java.util.TreeSet<>();
        for (Path root : List.of(dirA, dirB)) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(Files::isRegularFile).forEach(p -> files.add(root.relativize(p)));
                }
            }
        }
        for (Path relative : files) {
            Path fa = dirA.resolve(relative);
            Path fb = dirB.resolve(relative);
            if (!Files.exists(fa) || !Files.exists(fb) || Files.mismatch(fa, fb) != -1) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
