package io.poolpair;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL cluster for the tests, started once per test JVM from the installed PostgreSQL
 * binaries ({@code /usr/lib/postgresql/<version>/bin} or the PATH) on a free loopback port, and removed at
 * exit. As root it runs the server as the {@code postgres} user. Without PostgreSQL binaries the tests that
 * need it are skipped with a message; {@code .ci/run} installs them.
 */
final class PostgresServer {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer instance;
    private static String unavailable;

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The shared server; skips the calling test when PostgreSQL cannot be started here. */
    static synchronized PostgresServer get() {
        if (instance == null && unavailable == null) {
            try {
                instance = start();
            } catch (Exception e) {
                unavailable = e.getMessage();
            }
        }
        Assumptions.assumeTrue(instance != null, "PostgreSQL not available: " + unavailable);
        return instance;
    }

    private static PostgresServer start() throws Exception {
        Path bin = findBin().orElseThrow(() -> new IllegalStateException(
                "no initdb found under /usr/lib/postgresql/*/bin or on the PATH (apt-get install postgresql)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dataDir = Files.createTempDirectory("poolpair-pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, dataDir, port, root);
        if (root) {
            exec(List.of("chown", "-R", "postgres:postgres", dataDir.toString()), false);
        }
        server.run("initdb", "-D", dataDir.resolve("data").toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-locale");
        server.run("pg_ctl", "-D", dataDir.resolve("data").toString(), "-l", dataDir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start");
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    private static Optional<Path> findBin() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Optional<Path> found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                                .replaceAll("\\D", "0"))));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).map(Path::of)
                .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))).findFirst();
    }

    private void run(String tool, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        exec(command, true);
    }

    private static void exec(List<String> command, boolean check) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || (check && p.exitValue() != 0)) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private void stop() {
        try {
            run("pg_ctl", "-D", dataDir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } catch (Exception ignored) {
            // the JVM is exiting; the folder goes regardless
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates an empty database and returns the pool overrides that point a pool at it. */
    Map<String, String> newDatabase(String prefix) throws SQLException {
        String name = prefix.toLowerCase() + "_" + DATABASES.incrementAndGet();
        try (Connection conn = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement st = conn.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            st.execute("CREATE DATABASE " + name);
        }
        return Map.of("poolpair.datasource.url", url(name), "poolpair.datasource.username", "postgres",
                "poolpair.datasource.password", "",
                "poolpair.datasource.init-script", Path.of("config/sql/postgresql/demo-schema.sql").toAbsolutePath().toString());
    }
}
