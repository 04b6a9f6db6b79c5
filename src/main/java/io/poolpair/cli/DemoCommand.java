package io.poolpair.cli;

import io.poolpair.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Two pools on H2 in one process, replicating each other's writes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair demo", "  poolpair demo --rounds 5 --dir /tmp/pair --verbose"},
        description = "Run poolA and poolB on embedded H2 with local folders as shares, write to both, and show"
                + " that their copies match. Exit code 0 only when they do.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep the pools' files here (default: a temporary folder).")
    Path dir;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of writes on both pools (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--interval", defaultValue = "PT5S", description = "Sync interval (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--timeout", defaultValue = "PT2M", description = "Longest wait for replication per round.")
    String timeout;

    @Option(names = "--verbose", description = "Show the services' own log.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        return new Demo(dir, rounds, interval, java.time.Duration.parse(timeout), verbose, System.out).run() ? 0 : 1;
    }
}
