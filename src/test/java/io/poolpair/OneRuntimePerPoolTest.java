package io.poolpair;

import static io.poolpair.TwoPools.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.cli.PoolPairCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A pool's service runs with its HTTP endpoint off, so {@code sync} cannot reach it: the command must not start a
 * second runtime beside it (both would stage and publish the same batches under the same names). Nor may a second
 * service start for the pool.
 */
class OneRuntimePerPoolTest {

    @TempDir
    Path dir;

    @Test
    void syncNextToAServiceWithoutHttpIsRefusedNamingTheRunningProcess() throws Exception {
        try (PoolProcesses pools = startedWithoutHttp()) {
            Outcome sync = run("sync", "--config", pools.configFile(A).toString());
            assertEquals(3, sync.exitCode, sync.text());
            assertTrue(sync.err.contains("a poolpair process runs for pool " + A + " with poolpair.http.enabled=false"),
                    sync.text());
            assertTrue(pools.log(A).contains("export cycle finished"), "the service still runs\n" + pools.log(A));
        }
    }

    @Test
    void aSecondServiceOfThePoolStopsAtStartUp() throws Exception {
        try (PoolProcesses pools = startedWithoutHttp()) {
            // if the lock did not hold, this would run a second service until the timeout fails the test
            Outcome second = CompletableFuture.supplyAsync(() -> run("run", "--config", pools.configFile(A).toString()))
                    .get(60, TimeUnit.SECONDS);
            assertEquals(2, second.exitCode, second.text());
            assertTrue(second.err.contains("instance.lock"), second.text());
        }
    }

    /**
     * On Linux, closing any channel of a file drops every lock the process holds on it: asking whether a runtime runs
     * (as uninstall, sync and failback do) from the JVM that runs it must not release its lock.
     */
    @Test
    void askingFromTheServicesOwnJvmKeepsItsLock() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            assertTrue(io.poolpair.runtime.PoolPairRuntime.runsHere(pools.a.config()));
            assertTrue(io.poolpair.runtime.PoolPairRuntime.runsHere(pools.a.config()));
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path log = dir.resolve("second.log");
            Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", // C1 only: it starts faster, as PoolProcesses' children do
                    "-Dpoolpair.home=" + io.poolpair.config.PoolConfig.locateHome(), "-cp", classpath,
                    "io.poolpair.cli.PoolPairCommand", "run", "--config", pools.configFile(A).toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertTrue(second.waitFor(90, TimeUnit.SECONDS), "a second service of poolA kept running: the lock was lost\n"
                        + java.nio.file.Files.readString(log));
                assertEquals(2, second.exitValue(), java.nio.file.Files.readString(log));
                assertTrue(java.nio.file.Files.readString(log).contains("instance.lock"));
            } finally {
                second.destroyForcibly();
            }
        }
    }

    private PoolProcesses startedWithoutHttp() throws Exception {
        PoolProcesses pools = PoolProcesses.on(StoreKind.H2, dir, Map.of("poolpair.http.enabled", "false",
                "poolpair.sync-interval", "PT5S"));
        pools.start(A);
        pools.await("poolA's service ran an export cycle", Duration.ofSeconds(60),
                () -> pools.log(A).contains("export cycle finished"));
        return pools;
    }

    private record Outcome(int exitCode, String out, String err) {
        String text() {
            return "exit " + exitCode + "\nout: " + out + "\nerr: " + err;
        }
    }

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PoolPairCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }
}
