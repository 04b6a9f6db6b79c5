package io.poolpair;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's Samba server ({@code apt-get install samba}) for one test: its own smb.conf, passdb, lock, state,
 * cache and pid folders in a temporary folder, on a free loopback port, serving the given folders as SMB
 * shares (read-write) to the Unix user running the test, who is added to the temporary passdb with a password
 * of its own. smbd's own log is {@link #log()}. {@link #stop()} and {@link #start()} make a transport outage
 * and its end. Without smbd, or when not run as root (smbd serves a user by switching to it), the test is
 * skipped with a message.
 */
final class SmbServer implements AutoCloseable {

    private static final Path SMBD = Path.of("/usr/sbin/smbd");
    private static final Path SMBPASSWD = Path.of("/usr/bin/smbpasswd");

    private final Path dir;
    private final int port;
    private final String user = System.getProperty("user.name");
    private final String password = "pp-" + Long.toHexString(System.nanoTime());
    private Process process;

    private SmbServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts smbd serving each folder of {@code shares} under its share name (the map's key). */
    static SmbServer start(Path parent, Map<String, Path> shares) throws Exception {
        RequiredServer.assume(Files.isExecutable(SMBD) && Files.isExecutable(SMBPASSWD),
                "Samba not installed (apt-get install samba): the SMB share test needs /usr/sbin/smbd and /usr/bin/smbpasswd");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the SMB share test starts smbd, which must run as root to serve a user; run the tests as root");
        Path dir = Files.createDirectories(parent.resolve("smbd"));
        for (String folder : List.of("private", "lock", "state", "cache", "pid", "ncalrpc")) {
            Files.createDirectories(dir.resolve(folder));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SmbServer server = new SmbServer(dir, port);
        List<String> conf = new ArrayList<>(List.of(
                "[global]",
                "  server role = standalone server",
                "  smb ports = " + port,
                "  interfaces = 127.0.0.1",
                "  bind interfaces only = yes",
                "  disable netbios = yes",
                "  private dir = " + dir.resolve("private"),
                "  lock directory = " + dir.resolve("lock"),
                "  state directory = " + dir.resolve("state"),
                "  cache directory = " + dir.resolve("cache"),
                "  pid directory = " + dir.resolve("pid"),
                "  ncalrpc dir = " + dir.resolve("ncalrpc"),
                "  log file = " + dir.resolve("log.smbd"),
                "  passdb backend = tdbsam:" + dir.resolve("private").resolve("passdb.tdb"),
                "  map to guest = never",
                "  load printers = no",
                "  printing = bsd",
                "  printcap name = /dev/null",
                "  disable spoolss = yes",
                // Samba marks a renamed file with the DOS archive attribute, by default by a chmod (to the same
                // mode) right after the rename; inotify reports that as a change of the published file, which the
                // atomic-publish check would count as a write in place. Without DOS attributes in the mode or in
                // extended attributes the file's only event is its creation by the rename.
                "  map archive = no",
                "  store dos attributes = no"));
        shares.forEach((name, folder) -> conf.addAll(List.of(
                "[" + name + "]",
                "  path = " + folder.toAbsolutePath(),
                "  read only = no",
                "  valid users = " + server.user)));
        conf.add("");
        Files.writeString(server.conf(), String.join("\n", conf));
        server.addUser();
        server.start();
        return server;
    }

    private Path conf() {
        return dir.resolve("smb.conf");
    }

    /** Adds the Unix user running the test to this server's passdb with this server's password. */
    private void addUser() throws Exception {
        Process p = new ProcessBuilder(SMBPASSWD.toString(), "-c", conf().toString(), "-a", "-s", user)
                .redirectErrorStream(true).start();
        p.getOutputStream().write((password + "\n" + password + "\n").getBytes());
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("smbpasswd -a " + user + " failed: " + out);
        }
    }

    /** Starts smbd (again) on the same port and waits until it accepts connections. */
    void start() throws Exception {
        process = LoopbackDaemon.start("smbd", List.of(SMBD.toString(), "--foreground", "--no-process-group", "--debug-stdout",
                "-s", conf().toString()), log(), port);
    }

    /** Stops smbd and every connection it serves (a transport outage). */
    void stop() throws Exception {
        LoopbackDaemon.stop(process);
    }

    /** The share URI of the share {@code name} of this server, with the user and password in its query. */
    String shareUri(String name) {
        return shareUri(name, "");
    }

    /** The share URI of the folder {@code path} (e.g. {@code poolB/share}) inside the share {@code name}. */
    String shareUri(String name, String path) {
        return "smb://127.0.0.1:" + port + "/" + name + (path.isEmpty() ? "" : "/" + path) + "?username=" + user
                + "&password=" + password;
    }

    /** The password of the share's user (in {@link #shareUri}). */
    String password() {
        return password;
    }

    Path log() {
        return dir.resolve("smbd.log");
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
