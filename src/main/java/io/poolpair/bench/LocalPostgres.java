package io.poolpair.bench;

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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster started from the installed PostgreSQL binaries
 * ({@code /usr/lib/postgresql/<version>/bin} or the PATH) on a free loopback port, removed when stopped or at
 * JVM exit. As root the server runs as the {@code postgres} user. Used by the tests and by {@code bench}; the
 * bench starts it with {@code wal_level=logical} to compare against PostgreSQL's own logical replication.
 */
public final class LocalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private boolean stopped;

    private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::stopQuietly);
    }

    /**
     * Creates and starts a cluster; {@code settings} are extra {@code name=value} server settings
     * (e.g. {@code wal_level=logical}). Durability is off: the data is thrown away.
     *
     * @throws IllegalStateException when no PostgreSQL binaries are installed or the server does not start
     */
    public static LocalPostgres start(List<String> settings) throws Exception {
        Path bin = findBin().orElseThrow(() -> new IllegalStateException(
                "no initdb found under /usr/lib/postgresql/*/bin or on the PATH (apt-get install postgresql)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("poolpair-pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LocalPostgres server = new LocalPostgres(bin, dir, port, root);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        if (root) {
            exec(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        server.run("initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-locale");
        StringBuilder options = new StringBuilder("-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
        for (String setting : settings) {
            options.append(" -c ").append(setting);
        }
        server.run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-t", "60", "-o", options.toString(), "start");
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

    /** The server's major version, e.g. {@code 15}. */
    public String version() {
        return bin.getParent().getFileName().toString();
    }

    public int port() {
        return port;
    }

    /** The folder of the server's binaries (psql, pg_dump, ... of the same version). */
    public Path bin() {
        return bin;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return "postgres";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), user(), "");
    }

    /** Drops {@code name} if it exists and creates it empty. */
    public void createDatabase(String name) throws SQLException {
        try (Connection conn = connect("postgres"); Statement st = conn.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
    }

    public void dropDatabase(String name) throws SQLException {
        try (Connection conn = connect("postgres"); Statement st = conn.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } catch (Exception ignored) {
            // the folder goes regardless
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already exiting
        }
    }
}
