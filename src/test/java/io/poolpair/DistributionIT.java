package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.bench.LocalPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a new user gets it ({@code target/poolpair-<version>.tar.gz}, built by {@code mvn package};
 * this runs in the integration-test phase of {@code mvn verify}), unpacked into an empty folder far from the checkout:
 * the demo runs from it, and the README's "PostgreSQL pair in five minutes" block, run line by line by bash, ends with
 * both pools in FinalState.
 */
class DistributionIT {

    @TempDir
    Path dir;

    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("poolpair.distribution", "target/poolpair-0.1.0-SNAPSHOT.tar.gz"));
        assertTrue(Files.isRegularFile(archive), archive + " was built by mvn package");
        Path unpacked = Files.createDirectories(dir.resolve("opt"));
        assertEquals(0, new ProcessBuilder("tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString())
                .inheritIO().start().waitFor());
        try (var entries = Files.list(unpacked)) {
            home = entries.findFirst().orElseThrow();
        }
    }

    @AfterEach
    void stopServices() {
        // the README starts the services in the background: stop what runs from this unpacked copy
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> home != null && c.contains(home.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void demoRunsFromTheUnpackedDistributionAnywhere() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Result demo = bash(elsewhere, home.resolve("bin/poolpair") + " demo --rounds 1", 300);
        assertEquals(0, demo.exit, demo.output);
        assertTrue(demo.output.contains("the copies match on both pools"), demo.output);
    }

    @Test
    void readmePostgresPairEndsInFinalStateOnBothPools() throws Exception {
        LocalPostgres server = PostgresServer.get().server();
        String port = Integer.toString(server.port());
        int httpA = freePort();
        int httpB = freePort();
        for (String pool : List.of("A", "B")) {
            Path file = home.resolve("config/examples/postgresql/pool" + pool + ".properties");
            Files.writeString(file, Files.readString(file).replace(":5432/", ":" + port + "/")
                    .replace("= 8081", "= " + httpA).replace("= 8082", "= " + httpB));
        }
        List<String> lines = readmeBlock();
        String setup = "set -e\nexport PATH=" + server.bin() + ":$PATH\n" + String.join("\n", lines)
                .replace("sudo -u postgres psql", "psql -h 127.0.0.1 -p " + port + " -U postgres")
                .replace("PGPORT=5432", "PGPORT=" + port);
        // the block's last two lines are the status of each pool: run on their own, so each output is checked alone
        int statusAt = setup.lastIndexOf("\nbin/poolpair status");
        statusAt = setup.lastIndexOf("\nbin/poolpair status", statusAt - 1);
        Result run = bash(home, setup.substring(0, statusAt), 420);
        assertEquals(0, run.exit, run.output);
        for (String status : setup.substring(statusAt + 1).split("\n")) {
            Result shown = bash(home, status, 60);
            assertEquals(0, shown.exit, status + "\n" + shown.output);
            assertTrue(shown.output.matches("(?s).*UserServices\\.PresenceFocus\\s+ExportStatus\\s+FinalState\\s+ImportStatus\\s+NormalState.*"),
                    status + "\n" + shown.output);
        }

        assertEquals(1, count(server, port, "poolb", "sip:bob@example.com"), "poolA's row is on poolB");
        assertEquals(1, count(server, port, "poola", "sip:dan@example.com"), "poolB's row is on poolA");
        assertTrue(Files.size(home.resolve("data/poolA/logs/poolpair.log")) > 0, "the service logs under its data folder");
    }

    private static long count(LocalPostgres server, String port, String database, String contact) throws Exception {
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database,
                server.user(), ""); var ps = conn.prepareStatement("SELECT COUNT(*) FROM user_contact WHERE contact_uri = ?")) {
            ps.setString(1, contact);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The indented lines of the README block after the DistributionIT marker. */
    private List<String> readmeBlock() throws IOException {
        List<String> all = Files.readAllLines(home.resolve("README.md"));
        int i = 0;
        while (!all.get(i).contains("DistributionIT runs")) {
            i++;
        }
        i++;
        while (all.get(i).isBlank()) {
            i++;
        }
        List<String> block = new ArrayList<>();
        for (; i < all.size() && all.get(i).startsWith("    "); i++) {
            block.add(all.get(i).substring(4));
        }
        assertTrue(block.size() > 5, "README block found: " + block);
        return block;
    }

    private record Result(int exit, String output) {
    }

    private Result bash(Path cwd, String script, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile(dir, "bash", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + pb.environment().get("PATH"));
        pb.environment().keySet().removeIf(k -> k.startsWith("POOLPAIR_") || k.startsWith("PG"));
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return new Result(done ? p.exitValue() : -1, output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
