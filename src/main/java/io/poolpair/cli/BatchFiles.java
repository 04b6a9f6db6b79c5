package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.batch.BatchLimits;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
import io.poolpair.importer.BatchVerifier;
import io.poolpair.state.ImportState;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.PeerIncarnations;
import io.poolpair.status.BackupStatus;
import io.poolpair.store.StoreConnection;
import io.poolpair.store.TableCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The batch files of one pool where they lie (outbox, the peer's share, this pool's share, quarantine), each with
 * its state, checked by the importer's own {@link BatchVerifier}. Reads the store through a small connection pool
 * that changes nothing, so it runs beside the service; applies nothing.
 */
final class BatchFiles implements AutoCloseable {

    /** Where a batch file lies. */
    enum Location { outbox, peerShare, localShare, quarantine }

    /** One file and its state: staged, published, acknowledged, waiting or quarantined (with the reason). */
    record Listed(Location location, String module, long batch, String file, String state, String reason, Path path) {
    }

    /** What {@code batch show} reports: the manifest (verified, or as the file claims), the verdict, rows per table. */
    record Shown(String file, String direction, boolean passes, String verdict, boolean manifestVerified,
                 Manifest manifest, Map<String, Manifest.TableCounts> rows) {
    }

    /** A quarantined file's stamp prefix: {@code yyyyMMdd-HHmmss-SSS-<batch file name>}. */
    private static final Pattern QUARANTINED = Pattern.compile("\\d{8}-\\d{6}-\\d{3}-(.+\\.zip)");

    final PoolConfig pool;
    private final HikariDataSource dataSource;
    private final ShareLayout share;
    private final BatchVerifier verifier;

    BatchFiles(PoolConfig pool) {
        this.pool = pool;
        this.dataSource = StoreConnection.open(pool);
        try {
            this.share = new ShareLayout(pool);
            this.verifier = new BatchVerifier(pool, share, new Signer(pool.key()), new ImportState(dataSource, pool.peer()),
                    TableCatalog.read(dataSource, pool.modules()), new PeerIncarnations(dataSource, pool.peer()));
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** Every batch file of every module, outbox first, then the shares, then quarantine. */
    List<Listed> list() throws Exception {
        BackupStatus status = new BackupStatus(pool, dataSource);
        Map<String, BackupStatus.ModuleStatus> modules = new HashMap<>();
        for (ModuleConfig m : pool.modules()) {
            modules.put(m.name(), status.module(m.name()));
        }
        List<Listed> all = new ArrayList<>();
        PeerShare peerShare = PeerShare.of(pool);
        Optional<Path> peerRoot = peerShare.remote() ? Optional.empty() : Optional.of(peerShare.localFolder());
        for (Path file : batches(pool.outbox())) {
            BatchName name = BatchName.parse(file.getFileName().toString()).orElseThrow();
            BackupStatus.ModuleStatus m = modules.get(name.module());
            if (m == null || !name.sourcePool().equals(pool.pool())) {
                continue;
            }
            String state;
            String reason = null;
            if (name.batch() <= m.lastAcknowledgedBatch()) {
                state = "acknowledged";
            } else if (peerRoot.isEmpty()) {
                state = "unacknowledged";
                reason = "the peer's share is remote: not looked into";
            } else if (Files.exists(peerData(peerRoot.get(), name.module()).resolve(name.fileName()))) {
                state = "published";
            } else {
                state = "staged";
                reason = "not in the peer's share: to be published, or applied there with its cookie still to come";
            }
            all.add(new Listed(Location.outbox, name.module(), name.batch(), name.fileName(), state, reason, file));
        }
        if (peerRoot.isPresent()) {
            for (ModuleConfig module : pool.modules()) {
                for (Path file : batches(peerData(peerRoot.get(), module.name()))) {
                    BatchName name = BatchName.parse(file.getFileName().toString()).orElseThrow();
                    boolean acked = name.batch() <= modules.get(module.name()).lastAcknowledgedBatch();
                    all.add(new Listed(Location.peerShare, module.name(), name.batch(), name.fileName(),
                            acked ? "acknowledged" : "published", null, file));
                }
            }
        }
        for (ModuleConfig module : pool.modules()) {
            long applied = modules.get(module.name()).lastAppliedBatch();
            for (Path file : batches(share.localData(module.name()))) {
                BatchName name = BatchName.parse(file.getFileName().toString()).orElseThrow();
                String state = name.batch() <= applied ? "acknowledged" : "waiting";
                String reason = name.batch() <= applied ? "applied here already (a duplicate)"
                        : name.batch() == applied + 1 ? "next to apply" : "waits for batch " + (applied + 1);
                all.add(new Listed(Location.localShare, module.name(), name.batch(), name.fileName(), state, reason, file));
            }
        }
        for (Path file : quarantined()) {
            Optional<BatchName> name = originalName(file).flatMap(BatchName::parse);
            String module = file.getParent().getFileName().toString();
            all.add(new Listed(Location.quarantine, module, name.map(BatchName::batch).orElse(-1L),
                    file.getFileName().toString(), "quarantined", reasonOf(file), file));
        }
        return all;
    }

    /** Shows a batch file, checked as the importer checks one from the peer (or, for this pool's own, as the peer will). */
    Shown show(Path file) throws IOException {
        Path real = file.toAbsolutePath().normalize();
        String fileName = originalName(real).orElse(real.getFileName().toString());
        Optional<BatchName> name = BatchName.parse(fileName);
        boolean own = name.map(n -> n.sourcePool().equals(pool.pool())).orElse(false);
        String direction = own ? pool.pool() + " -> " + pool.peer() : pool.peer() + " -> " + pool.pool();
        try {
            Manifest manifest = own ? verifier.checkStaged(real)
                    : verifier.checkIncoming(real, moduleFor(real, name), fileName);
            return new Shown(real.toString(), direction, true, "passes the importer's checks (signature under the pair's"
                    + " key, names, sizes, sha256 of every entry, rows against the tables)", true, manifest,
                    manifest.tables());
        } catch (BatchRejectedException e) {
            Optional<Manifest> claimed = claimedManifest(real);
            return new Shown(real.toString(), direction, false, "rejected: " + e.getMessage(), false,
                    claimed.orElse(null), claimed.map(Manifest::tables).orElse(null));
        }
    }

    /**
     * Puts a quarantined file back into this pool's Data folder of its module, through the share's Temp/ folder, when
     * it passes the importer's checks now; the quarantine copy and its reason go. Returns where it lies now.
     */
    Path release(Path file) throws IOException, BatchRejectedException {
        Path real = file.toAbsolutePath().normalize();
        String fileName = originalName(real).orElseThrow(() -> new IllegalArgumentException(real + " is not a quarantined"
                + " batch (expected <stamp>-<batch>.zip under " + pool.quarantine() + "): see poolpair batch list"));
        BatchName name = BatchName.parse(fileName).orElseThrow(() -> new BatchRejectedException(fileName
                + " does not follow <sourcePool>-<module>-<12-digit batch>.zip"));
        String module = moduleFor(real, Optional.of(name));
        verifier.checkIncoming(real, module, fileName);
        Path data = share.localData(module);
        Path target = data.resolve(fileName);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(target + " exists already: the peer sent the batch again; delete the"
                    + " quarantined copy " + real + " instead");
        }
        Path temp = share.localRoot().resolve(ShareLayout.TEMP);
        Files.createDirectories(temp);
        Path part = temp.resolve(pool.pool() + ".release." + UUID.randomUUID() + ".part");
        try {
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(in, part);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
        Files.delete(real);
        Files.deleteIfExists(reasonFile(real));
        return target;
    }

    /** The quarantined file's module: its quarantine folder when that names a configured module, else its name's. */
    private String moduleFor(Path file, Optional<BatchName> name) {
        Path parent = file.getParent();
        if (parent != null && pool.modules().stream().anyMatch(m -> m.name().equals(parent.getFileName().toString()))) {
            return parent.getFileName().toString();
        }
        return name.map(BatchName::module).filter(m -> pool.modules().stream().anyMatch(c -> c.name().equals(m)))
                .orElse(null);
    }

    /** A quarantined file's batch file name (without the stamp), when it is one. */
    static Optional<String> originalName(Path file) {
        Matcher m = QUARANTINED.matcher(file.getFileName().toString());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Path reasonFile(Path quarantined) {
        return quarantined.resolveSibling(quarantined.getFileName() + ".reason");
    }

    /** The reason line Quarantine wrote beside the file. */
    static String reasonOf(Path quarantined) {
        try {
            for (String line : Files.readAllLines(reasonFile(quarantined), StandardCharsets.UTF_8)) {
                if (line.startsWith("reason: ")) {
                    return line.substring("reason: ".length());
                }
            }
            return "(no reason line in " + reasonFile(quarantined).getFileName() + ")";
        } catch (IOException e) {
            return "(no reason file: " + e.getMessage() + ")";
        }
    }

    /** The manifest a rejected file claims, read within the manifest size limit, marked unverified by the caller. */
    private static Optional<Manifest> claimedManifest(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(Manifest.FILE);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] json = in.readNBytes(BatchLimits.MAX_MANIFEST_BYTES + 1);
                return json.length > BatchLimits.MAX_MANIFEST_BYTES ? Optional.empty() : Optional.of(Manifest.fromJson(json));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private List<Path> quarantined() throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(pool.quarantine())) {
            return files;
        }
        try (DirectoryStream<Path> modules = Files.newDirectoryStream(pool.quarantine(), Files::isDirectory)) {
            for (Path module : modules) {
                try (DirectoryStream<Path> dir = Files.newDirectoryStream(module, "*.zip")) {
                    dir.forEach(files::add);
                }
            }
        }
        files.sort(null);
        return files;
    }

    private static List<Path> batches(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, "*.zip")) {
            for (Path p : dir) {
                if (BatchName.parse(p.getFileName().toString()).isPresent()) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    private Path peerData(Path peerRoot, String module) {
        return peerRoot.resolve(pool.module(module).folder()).resolve(ShareLayout.DATA);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
