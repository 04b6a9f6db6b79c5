package io.poolpair.cli;

import io.poolpair.bench.Bench;
import io.poolpair.bench.BenchOptions;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures poolpair against the alternatives on this machine (plain JDBC upserts, a full NDJSON copy,
 * PostgreSQL logical replication) and prints a markdown table and one RATIO line per target.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair bench --quick", "  poolpair bench --only delta,full-copy --stores postgresql --runs 3"},
        description = "Benchmark poolpair against plain JDBC upserts, a full copy and PostgreSQL logical replication, on H2"
                + " and PostgreSQL; prints a markdown table and RATIO lines, writes bench.md and bench.png."
                + " Exit code 0 when every target is met, 1 when one is missed, 2 on bad arguments.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Small sizes of the same measurements (a few minutes).")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Runs per figure; the median is reported"
            + " (default: 3).")
    Integer runs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Folder for bench.md, bench.png and scratch data (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = "Run only these measurements: delta, logical, store-size, full-copy, capture, heap, lag.")
    List<String> only;

    @Option(names = "--stores", split = ",", defaultValue = "h2,postgresql", paramLabel = "STORE",
            description = "Stores to measure on: h2, postgresql (default: ${DEFAULT-VALUE}).")
    List<String> stores;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Set<String> selected = new LinkedHashSet<>(only == null ? List.of() : only);
        for (String name : selected) {
            if (!BenchOptions.MEASUREMENTS.contains(name)) {
                spec.commandLine().getErr().println("bench: unknown measurement '" + name + "' for --only; one of "
                        + BenchOptions.MEASUREMENTS);
                return 2;
            }
        }
        for (String store : stores) {
            if (!List.of("h2", "postgresql").contains(store)) {
                spec.commandLine().getErr().println("bench: unknown store '" + store + "' for --stores; h2 or postgresql");
                return 2;
            }
        }
        int n = runs == null ? 3 : runs;
        if (n < 1) {
            spec.commandLine().getErr().println("bench: --runs must be at least 1");
            return 2;
        }
        BenchOptions options = new BenchOptions(quick, n, out.toAbsolutePath().normalize(), selected, List.copyOf(stores));
        return new Bench(options, spec.commandLine().getOut()).run() ? 0 : 1;
    }
}
