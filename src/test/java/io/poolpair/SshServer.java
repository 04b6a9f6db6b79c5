package io.poolpair;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH server ({@code apt-get install openssh-server}) for one test: its own host key, client
 * key, authorized_keys and sshd_config in a temporary folder, on a free loopback port, serving SFTP with the
 * internal sftp server, whose login folder is {@code /}. sshd's own log is {@link #log()}. {@link #stop()} and
 * {@link #start()} make a transport outage and its end. Without sshd the test is skipped with a message.
 */
final class SshServer implements AutoCloseable {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Path KEYGEN = Path.of("/usr/bin/ssh-keygen");

    private final Path dir;
    private final int port;
    private final String user = System.getProperty("user.name");
    private Process process;

    private SshServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static SshServer start(Path parent) throws Exception {
        RequiredServer.assume(Files.isExecutable(SSHD) && Files.isExecutable(KEYGEN),
                "OpenSSH server not installed (apt-get install openssh-server): the SFTP share test needs /usr/sbin/sshd");
        Path dir = Files.createDirectories(parent.resolve("sshd"));
        run(KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_ed25519").toString());
        run(KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_ed25519").toString());
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SshServer server = new SshServer(dir, port);
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AllowUsers " + server.user,
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "Subsystem sftp internal-sftp -d /",
                "LogLevel INFO", ""));
        // sshd started as root wants its privilege separation folder
        if ("root".equals(server.user)) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        server.start();
        return server;
    }

    /** Starts sshd (again) on the same port and waits until it accepts connections. */
    void start() throws Exception {
        process = LoopbackDaemon.start("sshd", List.of(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString()),
                log(), port);
    }

    /** Stops sshd and every session it serves (a transport outage). */
    void stop() throws Exception {
        LoopbackDaemon.stop(process);
    }

    /**
     * The share URI of {@code folder} (an absolute folder of this machine) over this server. Camel's sftp
     * paths are relative to the login folder, which this server sets to {@code /}.
     */
    String shareUri(Path folder) {
        return "sftp://" + user + "@127.0.0.1:" + port + folder.toAbsolutePath()
                + "?privateKeyFile=" + dir.resolve("client_ed25519") + "&strictHostKeyChecking=yes"
                + "&knownHostsFile=" + knownHosts() + "&useUserKnownHostsFile=false";
    }

    /** A known_hosts file naming this server's host key, as an operator writes it (ssh-keyscan, or the .pub file). */
    Path knownHosts() {
        Path file = dir.resolve("known_hosts");
        try {
            if (!Files.exists(file)) {
                String[] pub = Files.readString(dir.resolve("host_ed25519.pub")).trim().split("\\s+");
                Files.writeString(file, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    /** A known_hosts file naming another key for this server (what a man in the middle presents). */
    Path wrongKnownHosts() throws Exception {
        Path other = dir.resolve("other_ed25519");
        if (!Files.exists(other)) {
            run(KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
        }
        String[] pub = Files.readString(dir.resolve("other_ed25519.pub")).trim().split("\\s+");
        Path file = dir.resolve("wrong_known_hosts");
        Files.writeString(file, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
        return file;
    }

    Path log() {
        return dir.resolve("sshd.log");
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
