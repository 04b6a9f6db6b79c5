package io.poolpair.share;

import io.poolpair.Headers;
import io.poolpair.batch.BatchName;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import io.poolpair.config.PrivateFiles;
import java.nio.file.Files;
import java.net.InetAddress;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;

/**
 * Where things live in a share: {@code <Category>/<Module>/Data} for batches, {@code .../Cookie} for
 * acknowledgements, {@code .../Verify} for {@code verify}'s requests and answers, {@code Temp/} for partial writes, {@code TaskAssignment/}. Each pool consumes its own
 * share and writes only into its peer's.
 */
public final class ShareLayout {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShareLayout.class);

    public static final String DATA = "Data";
    public static final String COOKIE = "Cookie";
    public static final String TEMP = "Temp";
    /** {@code verify}'s signed requests and answers, consumed by route verify-files. */
    public static final String VERIFY = "Verify";
    public static final String TASK_ASSIGNMENT = "TaskAssignment";
    public static final String COOKIE_FILE = "cookie.zip";

    private final PoolConfig config;
    private final Instant startedAt = Instant.now();

    public ShareLayout(PoolConfig config) {
        this.config = config;
    }

    /**
     * Names the instance that runs this pool's backup service in {@code TaskAssignment/<pool>.json} of the
     * pool's own share (host, process, start and last refresh), refreshed every export cycle.
     */
    public void assignTask() throws IOException {
        Path folder = config.shareLocal().resolve(TASK_ASSIGNMENT);
        Files.createDirectories(folder);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        String json = String.format("{\n  \"pool\" : \"%s\",\n  \"host\" : \"%s\",\n  \"pid\" : %d,\n"
                + "  \"startedAt\" : \"%s\",\n  \"refreshedAt\" : \"%s\"\n}\n", config.pool(), host,
                ProcessHandle.current().pid(), startedAt, Instant.now());
        // the peer writes into Temp/ too: a name of this write's own, created new (a link planted under any
        // name is never followed, nor overwritten), in a Temp/ that is a real folder of the share
        Path temp = config.shareLocal().resolve(TEMP);
        Files.createDirectories(temp);
        if (!Files.isDirectory(temp, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(temp + " is not a folder (a link?): refusing to write the task assignment through it");
        }
        Path tmp = temp.resolve(config.pool() + ".task." + UUID.randomUUID() + ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                out.write(json.getBytes(StandardCharsets.UTF_8));
            }
            Path target = folder.resolve(config.pool() + ".json");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates this pool's share folders and its outbox and quarantine when absent. */
    public void prepare() {
        try {
            Path local = config.shareLocal();
            Files.createDirectories(local.resolve(TEMP));
            Files.createDirectories(local.resolve(TASK_ASSIGNMENT));
            for (ModuleConfig module : config.modules()) {
                Files.createDirectories(local.resolve(module.folder()).resolve(DATA));
                Files.createDirectories(local.resolve(module.folder()).resolve(COOKIE));
                Files.createDirectories(local.resolve(module.folder()).resolve(VERIFY));
            }
            PrivateFiles.createFolders(config.outbox());
            PrivateFiles.createFolders(config.quarantine());
            PeerShare peer = PeerShare.of(config);
            if (!peer.remote() && !Files.isDirectory(peer.folder())) {
                LOG.warn("poolpair.share.peer = {}: the folder does not exist or is not reachable; batches and cookies for {}"
                        + " wait in the outbox until it is back (mount the share, or create the folder)", peer.folder(),
                        config.peer());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the share folders under " + config.shareLocal(), e);
        }
    }


    /** This pool's own share root. */
    public Path localRoot() {
        return config.shareLocal();
    }

    public Path localData(String module) {
        return config.shareLocal().resolve(config.module(module).folder()).resolve(DATA);
    }

    /** The peer's cookie for a module in this pool's own share. */
    public Path localCookie(String module) {
        return config.shareLocal().resolve(config.module(module).folder()).resolve(COOKIE).resolve(COOKIE_FILE);
    }

    /** Path of a batch relative to the peer's share root; the publish step's {@code CamelFileName}. */
    public String peerDataFileName(@Body File batchFile, @Header(Headers.MODULE) String module) {
        return config.module(module).folder() + "/" + DATA + "/" + batchFile.getName();
    }

    /** Path of the module's cookie relative to the peer's share root. */
    public String peerCookieFileName(@Header(Headers.MODULE) String module) {
        return config.module(module).folder() + "/" + COOKIE + "/" + COOKIE_FILE;
    }

    /** Whether the peer's Data folder holds a batch: a look in the folder, or a question to the remote share. */
    public boolean peerHolds(BatchName name, CamelContext context) throws Exception {
        String relative = config.module(name.module()).folder() + "/" + DATA + "/" + name.fileName();
        PeerShare peer = PeerShare.of(config);
        if (!peer.remote()) {
            return Files.exists(peer.folder().resolve(relative));
        }
        return RemoteShareProbe.exists(context, peer.endpoint(), relative);
    }

    /** The module of a file from its path relative to a share root ({@code Category/Module/...}), or null. */
    public String moduleOf(String relativePath) {
        String[] parts = relativePath.replace('\\', '/').split("/");
        if (parts.length < 3) {
            return null;
        }
        String name = parts[0] + "." + parts[1];
        return config.modules().stream().anyMatch(m -> m.name().equals(name)) ? name : null;
    }
}
