package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.config.PoolConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three instances of poolA (separate {@code run} processes on one PostgreSQL database and one share, with
 * {@code poolpair.cluster.enabled}, elected by the file lock or by ZooKeeper) and one of poolB, under writer load on both pools. The active poolA instance
 * is killed with SIGKILL twice ({@code -Dpoolpair.cluster.kills=N} for more); each time another instance takes
 * the work over within two sync intervals. At the end the copies are equal, every batch was applied exactly
 * once (import logs), and no two instances ever ran an export cycle at the same time (their logs).
 */
class ClusterFailoverTest {

    private static final int KILLS = Integer.getInteger("poolpair.cluster.kills", 2);
    private static final Duration INTERVAL = Duration.ofSeconds(8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final List<String> INSTANCES = List.of("poolA-1", "poolA-2", "poolA-3");
    /** The instances share one data folder: one configured token for all (each would otherwise reuse the first one's). */
    private static final String TOKEN = "cluster-test-token-0123456789abcdef";

    @TempDir
    Path dir;

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final Map<String, Integer> incarnations = new HashMap<>();
    /** Log file of each process incarnation, with the time it was killed (null while it runs). */
    private final Map<Path, LocalDateTime> logs = new LinkedHashMap<>();

    /** The election: Camel's file-lock cluster service in the share, or ZooKeeper's (a real server in this JVM). */
    @ParameterizedTest(name = "poolpair.cluster.service = {0}")
    @ValueSource(strings = {"file", "zookeeper"})
    void killingTheActiveInstanceMovesTheWorkToAnotherWithoutLossOrDoubleApply(String clusterService) throws Exception {
        try (TestingServer zooKeeper = clusterService.equals("zookeeper") ? new TestingServer(true) : null) {
            Map<String, String> cluster = new HashMap<>(Map.of("poolpair.cluster.enabled", "true",
                    "poolpair.cluster.service", clusterService));
            if (zooKeeper != null) {
                cluster.put("poolpair.cluster.zookeeper.nodes", zooKeeper.getConnectString());
            }
            killActiveInstances(cluster);
        }
    }

    private void killActiveInstances(Map<String, String> cluster) throws Exception {
        PoolProcesses pools = PoolProcesses.on(StoreKind.POSTGRES, dir, Map.of("poolpair.sync-interval", "PT8S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT5S"),
                Map.of(A, cluster));
        Map<String, PoolConfig> configs = Map.of(A, pools.config(A), B, pools.config(B));
        PoolConfig a = configs.get(A);
        ports.put(B, configs.get(B).httpPort());
        for (String instance : INSTANCES) {
            ports.put(instance, freePort());
        }
        long started = System.nanoTime();
        try {
            start(B);
            for (String instance : INSTANCES) {
                start(instance);
            }
            for (String instance : processes.keySet()) {
                awaitStarted(instance);
            }
            long active = awaitActive(a, -1, Instant.EPOCH);
            assertStatusFromEveryInstance(active);
            assertStandbysAreHealthyAndRefuseSync(active);

            PoolWriter load = PoolWriter.start(List.of(configs.get(A), configs.get(B)));
            List<Duration> takeovers = new ArrayList<>();
            for (int kill = 0; kill < KILLS; kill++) {
                // let the active instance work under load for a cycle, then kill it
                Instant refreshed = taskAssignment(a).refreshedAt;
                awaitTaskRefreshedAfter(a, refreshed);
                String victim = instanceOf(active);
                Instant killedAt = Instant.now();
                processes.get(victim).destroyForcibly().waitFor();
                logs.put(currentLog(victim), LocalDateTime.now());
                active = awaitActive(a, active, killedAt);
                Duration takeover = Duration.between(killedAt, Instant.now());
                takeovers.add(takeover);
                assertTrue(takeover.compareTo(INTERVAL.multipliedBy(2)) <= 0, "instance " + instanceOf(active)
                        + " took over after " + takeover + ", more than two sync intervals\n" + tails());
                start(victim); // back as a standby
                awaitStarted(victim);
            }
            assertStatusFromEveryInstance(active);
            long written = load.stop();

            pools.awaitSettled(Duration.ofSeconds(180));
            pools.assertCopiesEqual();
            pools.assertEachBatchAppliedOnce(load);
            int cycles = assertCyclesNeverOverlap();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            long allowed = elapsed.toMillis() / INTERVAL.toMillis() + 2L * (KILLS + 1);
            assertTrue(cycles <= allowed, cycles + " export cycles of poolA in " + elapsed + ": more than one per cycle");
            System.out.printf("%d kills of the active poolA instance, takeovers %s, %d writer transactions, %d poolA export"
                    + " cycles in %s, none overlapping; pools converged%n", KILLS, takeovers, written, cycles, elapsed);
        } finally {
            for (Process p : processes.values()) {
                p.destroyForcibly().waitFor();
            }
            pools.close();
        }
    }

    private void start(String instance) throws IOException {
        int n = incarnations.merge(instance, 1, Integer::sum);
        Path log = dir.resolve(instance + "-" + n + ".log");
        logs.put(log, null);
        String pool = instance.startsWith(A) ? A : B;
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", // C1 only: four instances start on 2 cores without C2 compile threads
                "-Dpoolpair.home=" + PoolConfig.locateHome(), "-Dpoolpair.http.port=" + ports.get(instance),
                "-Dpoolpair.http.token=" + TOKEN, "-cp", classpath,
                "io.poolpair.cli.PoolPairCommand", "run", "--config", dir.resolve(pool + ".properties").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.put(instance, p);
    }

    private Path currentLog(String instance) {
        return dir.resolve(instance + "-" + incarnations.get(instance) + ".log");
    }

    private String instanceOf(long pid) {
        return processes.entrySet().stream().filter(e -> e.getValue().pid() == pid).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("TaskAssignment names pid " + pid + ", not a poolA instance"));
    }

    private JsonNode status(String instance) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.get(instance) + "/poolpair/status")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), instance + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** Status answers on every instance; exactly the one named in TaskAssignment/ says it is active. */
    private void assertStatusFromEveryInstance(long activePid) throws Exception {
        TwoPools.await("only the instance named in TaskAssignment/ reports itself active", () -> {
            int activeCount = 0;
            for (String instance : INSTANCES) {
                JsonNode instanceStatus = status(instance).path("activeInstance");
                if (instanceStatus.path("pid").asLong() != activePid) {
                    return false;
                }
                if (instanceStatus.path("thisInstanceActive").asBoolean()) {
                    activeCount++;
                    if (processes.get(instance).pid() != activePid) {
                        return false;
                    }
                }
            }
            return activeCount == 1;
        });
    }

    /** A standby is UP (it is ready to take over) and leaves export cycles to the active instance (503). */
    private void assertStandbysAreHealthyAndRefuseSync(long activePid) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String instance : INSTANCES) {
            String base = "http://127.0.0.1:" + ports.get(instance);
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), instance + ": " + health.body());
            HttpResponse<String> sync = client.send(HttpRequest.newBuilder(URI.create(base + "/poolpair/sync"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (processes.get(instance).pid() == activePid) {
                assertEquals(200, sync.statusCode(), instance + ": " + sync.body());
            } else {
                assertEquals(503, sync.statusCode(), instance + ": " + sync.body());
                assertTrue(sync.body().contains("this instance is on standby"), sync.body());
                // the operator's command says so in one line and names the active instance
                Path tokenFile = dir.resolve("operator.token");
                Files.writeString(tokenFile, TOKEN + "\n");
                TwoPools.CommandResult cli = TwoPools.cli("sync", "--url", base, "--token-file", tokenFile.toString());
                assertEquals(3, cli.exit(), instance + ": " + cli.out() + cli.err());
                assertTrue(cli.err().contains("stands by") && cli.err().contains("(pid " + activePid + ","), cli.err());
            }
        }
    }

    private void awaitStarted(String instance) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                status(instance);
                return;
            } catch (IOException | AssertionError e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError(instance + " did not start within 90 s\n" + tails());
    }

    private record Task(long pid, Instant refreshedAt) {
    }

    private static Task taskAssignment(PoolConfig config) {
        Path file = config.shareLocal().resolve("TaskAssignment").resolve(config.pool() + ".json");
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return new Task(node.path("pid").asLong(), Instant.parse(node.path("refreshedAt").asText()));
        } catch (IOException | RuntimeException e) {
            return new Task(-1, Instant.EPOCH);
        }
    }

    /** Waits until TaskAssignment/ names a live instance other than {@code previous}, refreshed after {@code since}. */
    private long awaitActive(PoolConfig config, long previous, Instant since) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Task task = taskAssignment(config);
            if (task.pid() > 0 && task.pid() != previous && task.refreshedAt().isAfter(since)
                    && processes.values().stream().anyMatch(p -> p.isAlive() && p.pid() == task.pid())) {
                return task.pid();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no poolA instance took over within 60 s\n" + tails());
    }

    private void awaitTaskRefreshedAfter(PoolConfig config, Instant refreshed) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (taskAssignment(config).refreshedAt().isAfter(refreshed)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the active instance ran no export cycle within 60 s\n" + tails());
    }

    /**
     * The export cycles of all poolA instances, from their logs ("export cycle started" / "finished"; a cycle
     * cut short by a kill ends at the kill): no two overlap. Returns how many there were.
     */
    private int assertCyclesNeverOverlap() throws IOException {
        record Cycle(Path log, LocalDateTime from, LocalDateTime to) {
        }
        List<Cycle> cycles = new ArrayList<>();
        for (Map.Entry<Path, LocalDateTime> entry : logs.entrySet()) {
            if (!entry.getKey().getFileName().toString().startsWith(A)) {
                continue;
            }
            LocalDateTime open = null;
            for (String line : Files.readAllLines(entry.getKey())) {
                if (line.length() < 23 || !line.contains("export cycle ")) {
                    continue;
                }
                LocalDateTime at = LocalDateTime.parse(line.substring(0, 23), LOG_TIME);
                if (line.endsWith("export cycle started")) {
                    open = at;
                } else if (line.endsWith("export cycle finished") && open != null) {
                    cycles.add(new Cycle(entry.getKey(), open, at));
                    open = null;
                }
            }
            if (open != null) {
                LocalDateTime killed = entry.getValue();
                cycles.add(new Cycle(entry.getKey(), open, killed != null ? killed : LocalDateTime.now()));
            }
        }
        for (Cycle x : cycles) {
            for (Cycle y : cycles) {
                if (x != y && !x.log().equals(y.log()) && x.from().isBefore(y.to()) && y.from().isBefore(x.to())) {
                    throw new AssertionError("two poolA instances exported at once: " + x + " and " + y);
                }
            }
        }
        assertTrue(cycles.size() > KILLS, "only " + cycles.size() + " export cycles logged");
        return cycles.size();
    }

    private String tails() {
        StringBuilder text = new StringBuilder();
        for (Path log : logs.keySet()) {
            try {
                String s = Files.readString(log);
                text.append("--- ").append(log.getFileName()).append(" (end)\n").append(s.substring(Math.max(0, s.length() - 1500)));
            } catch (IOException e) {
                text.append("--- ").append(log.getFileName()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
