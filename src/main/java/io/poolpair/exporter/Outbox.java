package io.poolpair.exporter;

import io.poolpair.state.ExportState;
import io.poolpair.Headers;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.ManifestDigest;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.StoreIncarnation;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Staged batches, kept byte for byte until the peer acknowledges them. Decides what to publish: every batch
 * not yet published, and any unacknowledged batch that the peer's Data folder no longer holds.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final Path folder;
    private final String pool;
    private final ExportState state;
    private final ShareLayout share;
    private final BatchWriter writer;
    private final Duration resendAfter;
    /** The peer's applied batch of a module as its current cookie says (-1: unknown). */
    private final ToLongFunction<String> peerProgress;
    private final StoreIncarnation incarnation;

    public Outbox(Path folder, String pool, ExportState state, ShareLayout share, BatchWriter writer, Duration resendAfter,
                  ToLongFunction<String> peerProgress, StoreIncarnation incarnation) {
        this.incarnation = incarnation;
        this.folder = folder;
        this.pool = pool;
        this.state = state;
        this.share = share;
        this.writer = writer;
        this.resendAfter = resendAfter;
        this.peerProgress = peerProgress;
    }

    public Path file(String module, long batch) {
        return folder.resolve(new BatchName(pool, module, batch).fileName());
    }

    /**
     * Stages every numbered batch that has no outbox file yet: the process stopped between claiming its
     * changes and writing its zip. Its rows still carry the batch number, so the zip is rebuilt from them.
     */
    public void restageUnstaged(@Header(Headers.MODULE) String module) throws Exception {
        ExportState.Snapshot s = state.get(module);
        finishFullSyncParts(module, s.lastBatch());
        for (long batch = Math.max(s.ackedBatch(), s.publishedBatch()) + 1; batch <= s.lastBatch(); batch++) {
            if (!Files.exists(file(module, batch))) {
                LOG.warn("{}: batch {} was numbered but never staged; staging it now", module, batch);
                writer.stage(module, batch);
            }
        }
    }

    /**
     * Export step after a snapshot is staged: its parts, numbered by now, are renamed into place. A restart runs the
     * same renaming ({@link #restageUnstaged}) for parts numbered before the process stopped.
     */
    public void placeNumberedSnapshotParts(@Header(Headers.MODULE) String module) throws SQLException, IOException {
        finishFullSyncParts(module, state.get(module).lastBatch());
    }

    /**
     * Full-sync parts still under their temporary name: renamed into place when their numbers were taken
     * before the process stopped, deleted when they were not (the full sync is still due and runs again).
     */
    private void finishFullSyncParts(String module, long lastBatch) throws IOException {
        // a part being rewritten with its final part count when the process stopped: the part itself is still there
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder,
                pool + "-" + module + "-*.zip" + FullSnapshot.PART_SUFFIX + FullSnapshot.RENUMBER_SUFFIX)) {
            for (Path p : dir) {
                Files.deleteIfExists(p);
            }
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder,
                pool + "-" + module + "-*.zip" + FullSnapshot.PART_SUFFIX)) {
            for (Path part : dir) {
                Path target = FullSnapshot.finalName(part);
                Optional<BatchName> name = BatchName.parse(target.getFileName().toString());
                if (name.isPresent() && name.get().batch() <= lastBatch) {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(part);
                }
            }
        }
    }

    /**
     * Export-cycle step, before anything is numbered: when this store was found to have gone back in time, it starts
     * a new incarnation ({@link StoreIncarnation#renew}) and the staged zips of the old one are deleted (their numbers
     * are reused, with other contents).
     */
    public void startNewIncarnationIfDue() throws SQLException, IOException {
        if (incarnation.renewIfRequested()) {
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, pool + "-*.zip*")) {
                for (Path p : dir) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * At start-up: staged zips of another incarnation than this store's (an outbox that outlived its database, or a
     * store restored from a backup) are deleted, so their numbers, reused by this incarnation, are staged afresh.
     */
    public void discardOtherIncarnations() throws SQLException, IOException {
        String current = incarnation.current();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, pool + "-*.zip")) {
            for (Path p : dir) {
                Optional<String> staged = ManifestDigest.incarnationOf(p);
                if (staged.isEmpty() || !staged.get().equals(current)) {
                    LOG.warn("deleted {} from the outbox: staged by {} than this store's incarnation {}", p.getFileName(),
                            staged.map(i -> "incarnation " + i + ", another").orElse("an unreadable zip, rather"), current);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * At start-up: staging files ({@code <batch>.zip.<uuid>.tmp}) a stopped process left behind. Each write has a name
     * of its own, so nothing overwrites them; one older than an hour belongs to no running staging (in a cluster,
     * another instance may be staging right now, so younger ones stay).
     */
    public void discardAbandonedStaging() throws IOException {
        FileTime hourAgo = FileTime.from(
                Instant.now().minus(Duration.ofHours(1)));
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, pool + "-*.zip.*.tmp")) {
            for (Path p : dir) {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(hourAgo) < 0) {
                    LOG.info("deleted {} from the outbox: left by a stopped process while it staged that batch", p.getFileName());
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Outbox batches numbered after the last published one, in order. */
    public List<File> unpublished(@Header(Headers.MODULE) String module) throws SQLException, IOException {
        ExportState.Snapshot s = state.get(module);
        List<File> files = new ArrayList<>();
        for (var e : staged(module).tailMap(s.publishedBatch(), false).entrySet()) {
            files.add(e.getValue().toFile());
        }
        return files;
    }

    /**
     * Published but unacknowledged batches that the peer's Data folder no longer holds (share wiped, file
     * removed, peer restored). From the export cycle only once the acknowledgement has not moved for
     * poolpair.resend-after, so the normal delay between publish and acknowledgement never causes a re-send;
     * from the acknowledge route (a fresh cookie that stays behind) at once.
     */
    public List<File> missingFromPeer(@Header(Headers.MODULE) String module, @Header(Headers.IMMEDIATE) Boolean immediate,
                                      Exchange exchange) throws Exception {
        ExportState.Snapshot s = state.get(module);
        if (s.publishedBatch() <= s.ackedBatch()) {
            return List.of();
        }
        if (!Boolean.TRUE.equals(immediate)) {
            Instant lastProgress = latest(s.ackedAt(), s.publishedAt());
            if (lastProgress != null && lastProgress.plus(resendAfter).isAfter(Instant.now())) {
                return List.of();
            }
        }
        List<File> missing = new ArrayList<>();
        List<Long> absent = new ArrayList<>();
        for (var e : staged(module).subMap(s.ackedBatch(), false, s.publishedBatch(), true).entrySet()) {
            if (s.refusedBatch() != null && s.refusedBatch().equals(e.getKey())) {
                // the peer refused it for good (a limit or a row check there): a copy would be refused alike
                continue;
            }
            if (!share.peerHolds(new BatchName(pool, module, e.getKey()), exchange.getContext())) {
                missing.add(e.getValue().toFile());
                absent.add(e.getKey());
            }
        }
        // The peer removes a batch once it has applied it: one that it applied while this pool was recording an
        // older cookie is absent but not lost. Its newest cookie, read after looking, tells them apart.
        if (!missing.isEmpty() && peerProgress != null) {
            long applied = peerProgress.applyAsLong(module);
            for (int i = missing.size() - 1; i >= 0; i--) {
                if (absent.get(i) <= applied) {
                    missing.remove(i);
                }
            }
        }
        if (!missing.isEmpty()) {
            LOG.warn("{}: the peer acknowledged batch {} but its Data folder lacks {} unacknowledged batch(es); re-sending"
                    + " them from the outbox", module, s.ackedBatch(), missing.size());
        }
        return missing;
    }

    /** Deletes outbox zips the peer has acknowledged. */
    public int purgeAcknowledged(@Header(Headers.MODULE) String module) throws SQLException, IOException {
        long acked = state.get(module).ackedBatch();
        int purged = 0;
        for (Path p : staged(module).headMap(acked, true).values()) {
            Files.deleteIfExists(p);
            purged++;
        }
        return purged;
    }

    /** The module's staged batches by number. */
    public TreeMap<Long, Path> staged(String module) throws IOException {
        TreeMap<Long, Path> result = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, pool + "-" + module + "-*.zip")) {
            for (Path p : dir) {
                Optional<BatchName> name = BatchName.parse(p.getFileName().toString());
                if (name.isPresent() && name.get().sourcePool().equals(pool) && name.get().module().equals(module)) {
                    result.put(name.get().batch(), p);
                }
            }
        }
        return result;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
