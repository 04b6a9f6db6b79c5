package io.poolpair.demo;

import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pair of pools laid out in one folder, as the demo and the tests use them:
 * {@code <dir>/<pool>/share}, {@code <dir>/<pool>/data} (H2 store, outbox, quarantine) and
 * {@code <dir>/<pool>.properties}, with the demo schema created at start-up.
 */
public final class PairFolder {

    private final Path dir;
    private final Path home;
    private final String key;

    public PairFolder(Path dir, Path home) {
        this.dir = dir.toAbsolutePath().normalize();
        this.home = home;
        this.key = pairKey(this.dir);
    }

    /** The pair's shared secret: made once per folder and kept in {@code <dir>/pair.key}. */
    private static String pairKey(Path dir) {
        try {
            Path file = dir.resolve("pair.key");
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(dir);
            Files.writeString(file, HexFormat.of().formatHex(secret) + "\n");
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public Path dir() {
        return dir;
    }

    public Path share(String pool) {
        return dir.resolve(pool).resolve("share");
    }

    public Path data(String pool) {
        return dir.resolve(pool).resolve("data");
    }

    /** Writes {@code <dir>/<pool>.properties} (unless present) and loads it with {@code overrides} on top. */
    public PoolConfig config(String pool, String peer, Map<String, String> overrides) {
        try {
            Files.createDirectories(share(pool));
            Files.createDirectories(share(peer));
            io.poolpair.config.PrivateFiles.createFolders(data(pool));
            Path file = dir.resolve(pool + ".properties");
            if (!Files.exists(file)) {
                Map<String, String> props = new LinkedHashMap<>();
                props.put("poolpair.pool", pool);
                props.put("poolpair.peer", peer);
                props.put("poolpair.share.local", share(pool).toString());
                props.put("poolpair.share.peer", share(peer).toString());
                props.put("poolpair.data-dir", data(pool).toString());
                props.put("poolpair.key", key);
                // the embedded H2 store's own password (its AUTO_SERVER port takes connections from local users)
                byte[] password = new byte[16];
                new SecureRandom().nextBytes(password);
                props.put("poolpair.datasource.password", HexFormat.of().formatHex(password));
                props.put("poolpair.http.port", Integer.toString(freePort()));
                props.put("poolpair.datasource.init-script", home.resolve("config/sql/h2/demo-schema.sql").toString());
                StringBuilder text = new StringBuilder("# written by poolpair demo\n");
                props.forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
                Files.writeString(file, text);
            }
            PoolConfig config = PoolConfig.load(home, file, overrides);
            PeerShare.of(config); // the peer share's form is checked at load, as the commands do
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
