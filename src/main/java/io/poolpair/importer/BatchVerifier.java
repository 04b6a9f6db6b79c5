package io.poolpair.importer;

import io.poolpair.state.ImportState;
import io.poolpair.Headers;
import io.poolpair.batch.BatchFile;
import io.poolpair.batch.BatchLimits;
import io.poolpair.batch.BatchReader;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.CheckedEntryStream;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Manifest;
import io.poolpair.store.TableCatalog;
import io.poolpair.batch.Signer;
import io.poolpair.batch.ZipBounds;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.PeerIncarnations;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Checks a batch file from the share before anything touches the database: its name, the source pool, the
 * module, the manifest signature, every entry name and size, and every entry's sha256. Table names come from
 * configuration; a manifest naming any other table is rejected. Then decides what to do with it: apply it,
 * skip it as a duplicate, or let it wait for its predecessor.
 *
 * <p>One class over 300 lines because it is the one list of everything a batch is checked for before it is trusted (the
 * sender runs the same list on what it staged, {@link #checkStaged}), read in one place by whoever audits it.
 */
public final class BatchVerifier {

    public static final String APPLY = "apply";
    public static final String DUPLICATE = "duplicate";
    public static final String WAIT = "wait";

    private final PoolConfig config;
    private final BatchLimits limits;
    private final ShareLayout share;
    private final Signer signer;
    private final ImportState state;
    private final RowCheck rows;
    private final EntryCipher cipher;
    private final PeerIncarnations peers;
    private final ZipBounds bounds;

    public BatchVerifier(PoolConfig config, ShareLayout share, Signer signer, ImportState state, TableCatalog catalog,
                         PeerIncarnations peers) {
        this.peers = peers;
        this.config = config;
        this.limits = BatchLimits.of(config);
        this.share = share;
        this.signer = signer;
        this.state = state;
        this.rows = new RowCheck(catalog);
        this.cipher = new EntryCipher(config.key());
        this.bounds = new ZipBounds(limits.maxBatchBytes(), limits.maxEntries());
    }

    public void verify(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        File file = msg.getBody(File.class);
        String relative = msg.getHeader(Exchange.FILE_NAME, String.class);
        String module = share.moduleOf(relative);
        msg.setHeader(Headers.MODULE, module);
        BatchName name = checkName(file, file.getName(), relative, module);
        msg.setHeader(Headers.BATCH, name.batch());
        String[] disposition = new String[1];
        BatchFile.Signed signed;
        try {
            // decided on the signed manifest alone: a duplicate or a batch that waits is not read through
            signed = checkContents(file, name, config.peer(), config.pool(), s -> {
                disposition[0] = disposition(module, name, s);
                return APPLY.equals(disposition[0]);
            });
        } catch (BatchRejectedException e) {
            if (e.incurable()) {
                // the manifest was verified before the check failed: it names the sender's incarnation
                msg.setHeader(Headers.REFUSED_INCARNATION, io.poolpair.batch.ManifestDigest.incarnationOf(file.toPath())
                        .orElse(null));
            }
            throw e;
        }
        msg.setHeader(Headers.VERIFIED_MANIFEST, signed.sha256());
        msg.setHeader(Headers.DISPOSITION, disposition[0]);
    }

    /**
     * Apply, skip as a duplicate, or wait, counted in the batches of the peer's incarnation that sent it. The first
     * part of a restore is applied whatever came before it (its baseline supersedes it). A "duplicate" whose manifest
     * differs from the one applied under that number, or a batch of an incarnation the peer has replaced, is a
     * contradiction: rejected with what happened, never skipped silently.
     */
    private String disposition(String module, BatchName name, BatchFile.Signed signed) throws Exception {
        Manifest manifest = signed.manifest();
        if (peers.observe(manifest.incarnation(), "batch " + name.fileName()) == PeerIncarnations.Seen.RETIRED) {
            throw new BatchRejectedException("the batch comes from " + config.peer() + "'s incarnation " + manifest.incarnation()
                    + ", which " + config.peer() + " has since replaced (rebuilt, or restored from an older backup): it is not"
                    + " applied over the newer incarnation's data");
        }
        ImportState.Snapshot s = state.follow(module, manifest.incarnation());
        long batch = name.batch();
        long last = s.lastApplied();
        if (manifest.restore() && manifest.part() == 1 && batch > last) {
            return APPLY;
        }
        if (batch <= last) {
            Optional<String> applied = state.appliedManifest(module, batch);
            if (applied.isPresent() && !applied.get().equals(signed.sha256())) {
                String what = "batch " + batch + " of " + config.peer() + "'s incarnation " + manifest.incarnation()
                        + " differs from the batch " + batch + " applied here before";
                state.recordContradiction(module, manifest.incarnation(), what);
                throw new BatchRejectedException("batch " + batch + " of " + config.peer() + "'s incarnation "
                        + manifest.incarnation() + " differs from the batch " + batch + " applied here before (manifest sha256 "
                        + signed.sha256() + ", applied " + applied.get() + "): " + config.peer() + "'s store went back in time"
                        + " (restored from an older backup?). " + config.peer() + " starts a new incarnation when it reads this"
                        + " pool's cookie, then this pool sends it a restore snapshot");
            }
            return DUPLICATE;
        }
        if (batch == last + 1) {
            return APPLY;
        }
        state.noteWaiting(module, last + 1);
        return WAIT;
    }

    private BatchName checkName(File file, String fileName, String relative, String module) throws BatchRejectedException {
        if (Files.isSymbolicLink(file.toPath())) {
            throw new BatchRejectedException("the file is a symbolic link; only regular files are accepted");
        }
        if (module == null) {
            throw new BatchRejectedException("the folder " + relative + " belongs to no configured module (poolpair.modules)");
        }
        Optional<BatchName> parsed = BatchName.parse(fileName);
        if (parsed.isEmpty()) {
            throw new BatchRejectedException("file name does not follow <sourcePool>-<module>-<12-digit batch>.zip");
        }
        BatchName name = parsed.get();
        if (!name.sourcePool().equals(config.peer())) {
            throw new BatchRejectedException("the file comes from pool '" + name.sourcePool() + "', not from the paired pool '"
                    + config.peer() + "'");
        }
        if (!name.module().equals(module)) {
            throw new BatchRejectedException("the file names module " + name.module() + " but lies in the folder of " + module);
        }
        return name;
    }

    /**
     * The receiver's checks of a batch's contents, run by the sender on a zip it staged, before the zip is published
     * (this pool is the source, the peer the target): every batch this pool makes passes the peer's checks, as far as
     * both pools share their configuration. Returns the staged manifest; a zip that fails is never published.
     */
    public Manifest checkStaged(java.nio.file.Path zip) throws BatchRejectedException, IOException {
        // staged under a temporary name: <batch>.zip.tmp, <batch>.zip.full-part
        String fileName = zip.getFileName().toString();
        String batchName = fileName.substring(0, fileName.lastIndexOf(".zip") + ".zip".length());
        BatchName name = BatchName.parse(batchName)
                .orElseThrow(() -> new BatchRejectedException(fileName + " is not named as a batch"));
        try {
            return checkContents(zip.toFile(), name, config.pool(), config.peer(), s -> true).manifest();
        } catch (BatchRejectedException | IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The importer's checks of a batch from the peer, for a file outside the import route (the {@code batch show} and
     * {@code batch release} commands): the name it would have in {@code module}'s Data folder, then contents as
     * {@link #verify} checks them, every entry read through. Decides nothing and records nothing: whether it would be
     * applied, skipped or wait is the import route's business once the file is back in the share.
     */
    public Manifest checkIncoming(java.nio.file.Path file, String module, String fileName) throws BatchRejectedException,
            IOException {
        BatchName name = checkName(file.toFile(), fileName, module + "/" + fileName, module);
        try {
            return checkContents(file.toFile(), name, config.peer(), config.pool(), s -> true).manifest();
        } catch (BatchRejectedException | IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** After the signed manifest passed its checks: whether to read the entries through (false: skip or wait). */
    private interface ReadThrough {
        boolean test(BatchFile.Signed signed) throws Exception;
    }

    /**
     * Checks {@code file} as a batch from pool {@code source} to pool {@code target}: what it may cost before it is
     * opened ({@link ZipBounds}), its entry names, its signed manifest, then (when {@code readThrough} says so) every entry.
     */
    private BatchFile.Signed checkContents(File file, BatchName name, String source, String target, ReadThrough readThrough)
            throws Exception {
        try {
            bounds.check(file.toPath());
        } catch (BatchRejectedException e) {
            // too many entries declared by a manifest the sender signed: no copy of it will ever pass here
            if (BatchFile.signedManifestOf(file.toPath(), signer, limits.maxBatchBytes())
                    .map(m -> m.entries().size() + BatchLimits.FRAME_ENTRIES > limits.maxEntries()).orElse(false)) {
                throw BatchRejectedException.incurable(e.getMessage(), e);
            }
            throw e;
        }
        try (ZipFile zip = zips.open(file)) {
            Map<String, ZipEntry> entries = checkEntryNames(zip);
            BatchReader batch = BatchReader.open(zip, signer, cipher);
            BatchFile.Signed signed = batch.signed();
            Manifest manifest = signed.manifest();
            checkManifest(manifest, name, source, target);
            if (readThrough.test(signed)) {
                checkEntries(batch, entries, manifest);
            }
            return signed;
        } catch (ZipException e) {
            throw new BatchRejectedException("not a readable zip (truncated or corrupt): " + e.getMessage(), e);
        } catch (IOException e) {
            if (BatchFile.isFormatProblem(e)) {
                throw new BatchRejectedException("cannot read the zip: " + e.getMessage(), e);
            }
            // the share failed to deliver bytes, the file may be fine: not quarantined, retried at the next poll
            throw new IOException("cannot read " + name.fileName() + " from the share (retried at the next poll): "
                    + e.getMessage(), e);
        }
    }

    /** Every entry the manifest lists, each held to its declared size and sha256; no entry it does not list. */
    private void checkEntries(BatchReader zip, Map<String, ZipEntry> entries, Manifest manifest)
            throws BatchRejectedException, IOException {
        long declared = 0;
        for (Manifest.Entry entry : manifest.entries()) {
            declared = addDeclared(declared, entry);
            ZipEntry zipEntry = entries.remove(entry.name());
            if (zipEntry == null) {
                throw new BatchRejectedException("the manifest lists " + entry.name() + " but the zip does not hold it");
            }
            checkEntry(zip, zipEntry, entry, manifest);
        }
        entries.remove(Manifest.FILE);
        entries.remove(Manifest.SIGNATURE);
        if (!entries.isEmpty()) {
            throw new BatchRejectedException("the zip holds entries the manifest does not list: " + entries.keySet());
        }
    }

    /**
     * The running total of declared entry sizes, in exact arithmetic, held to poolpair.import.max-batch-bytes: over it,
     * the signed manifest itself breaks the limit, which no re-send cures.
     */
    private long addDeclared(long declared, Manifest.Entry entry) throws BatchRejectedException {
        try {
            long total = Math.addExact(declared, entry.size());
            if (total <= limits.maxBatchBytes()) {
                return total;
            }
        } catch (ArithmeticException overflow) {
            // over any limit
        }
        throw BatchRejectedException.incurable("the entries decompress to more than poolpair.import.max-batch-bytes "
                + limits.maxBatchBytes());
    }

    private Map<String, ZipEntry> checkEntryNames(ZipFile zip) throws BatchRejectedException {
        if (zip.size() > limits.maxEntries()) {
            String over = "the zip holds " + zip.size() + " entries, over poolpair.import.max-entries " + limits.maxEntries();
            throw declaredBySigner(zip, m -> m.entries().size() + BatchLimits.FRAME_ENTRIES > limits.maxEntries())
                    ? BatchRejectedException.incurable(over) : new BatchRejectedException(over);
        }
        Map<String, ZipEntry> entries = new HashMap<>();
        Enumeration<? extends ZipEntry> e = zip.entries();
        while (e.hasMoreElements()) {
            ZipEntry entry = e.nextElement();
            String entryName = entry.getName();
            if (!BatchFile.isSafeEntryName(entryName) || entry.isDirectory()) {
                throw new BatchRejectedException("unsafe entry name '" + entryName + "' (absolute, '..', or a folder)");
            }
            if (entries.put(entryName, entry) != null) {
                throw new BatchRejectedException("entry '" + entryName + "' appears twice");
            }
        }
        return entries;
    }

    /**
     * True when the zip's manifest is signed by the pair's key and itself declares what broke a limit: the sender
     * made the batch so, and a re-sent copy is rejected alike. False for a copy that cannot be read or trusted.
     */
    private boolean declaredBySigner(ZipFile zip, java.util.function.Predicate<Manifest> over) {
        try {
            return over.test(BatchFile.readSigned(zip, signer).manifest());
        } catch (BatchRejectedException | RuntimeException e) {
            return false;
        }
    }

    private void checkManifest(Manifest m, BatchName name, String source, String target) throws BatchRejectedException {
        if (m.format() != Manifest.FORMAT) {
            throw new BatchRejectedException("manifest format " + m.format() + " is not supported (expected " + Manifest.FORMAT + ")");
        }
        if (!source.equals(m.sourcePool())) {
            throw new BatchRejectedException("manifest source pool '" + m.sourcePool() + "' is not the paired pool '"
                    + source + "'");
        }
        if (!target.equals(m.targetPool())) {
            throw new BatchRejectedException("manifest target pool '" + m.targetPool() + "' is not this pool '" + target + "'");
        }
        if (!name.module().equals(m.module()) || name.batch() != m.batch()) {
            throw new BatchRejectedException("manifest says " + m.module() + " batch " + m.batch() + ", the file name says "
                    + name.module() + " batch " + name.batch());
        }
        if (m.incarnation() == null || m.incarnation().isBlank()) {
            throw new BatchRejectedException("manifest names no incarnation of " + m.sourcePool());
        }
        boolean full = m.snapshot();
        if (m.kind() == null) {
            throw new BatchRejectedException("manifest kind '" + m.kind() + "' is not supported");
        }
        if (full && (m.part() < 1 || m.part() > m.parts() || m.firstPart() < 1)) {
            throw new BatchRejectedException(m.kind() + " part " + m.part() + " of " + m.parts() + " is out of range");
        }
        if (m.restore() && (m.baseline() == null || m.baseline() != m.firstPart() || m.snapshotRows() == null
                || m.snapshotRows() < 0)) {
            throw new BatchRejectedException("restore part " + m.part() + " has no valid baseline or row count");
        }
        ModuleConfig module = config.module(m.module());
        if (m.tables() == null || m.entries() == null) {
            throw new BatchRejectedException("manifest lacks its tables or entries");
        }
        for (String table : m.tables().keySet()) {
            requireConfigured(module, table);
        }
        for (Manifest.Entry entry : m.entries()) {
            if (Manifest.Entry.KEY_TIMES.equals(entry.op())) {
                if (!Manifest.Entry.KEY_TIMES_NAME.equals(entry.name()) || entry.table() != null || full || entry.size() < 0
                        || entry.sha256() == null) {
                    throw new BatchRejectedException("manifest entry '" + entry.name() + "' is not a delta's key times");
                }
                continue;
            }
            requireConfigured(module, entry.table());
            if (Manifest.Entry.CONTENT.equals(entry.op())) {
                // conference content: checked against the module's content table here, its sha256 below
                if (!module.contentTable().map(entry.table()::equals).orElse(false)
                        || !entry.name().startsWith(io.poolpair.content.ContentStore.entryPrefix(entry.table()))
                        || entry.size() < 0 || entry.sha256() == null) {
                    throw new BatchRejectedException("content entry '" + entry.name() + "' does not belong to the content"
                            + " table of module " + module.name());
                }
                continue;
            }
            if (full && !Manifest.Entry.UPSERT.equals(entry.op())) {
                throw new BatchRejectedException("a " + m.kind() + " part carries rows only, not '" + entry.op() + "' entries");
            }
            if (!Manifest.Entry.UPSERT.equals(entry.op()) && !Manifest.Entry.DELETE.equals(entry.op())) {
                throw new BatchRejectedException("manifest entry " + entry.name() + " has unknown operation '" + entry.op() + "'");
            }
            if (!Manifest.Entry.nameFor(entry.table(), entry.op()).equals(entry.name()) || entry.size() < 0
                    || entry.sha256() == null) {
                throw new BatchRejectedException("manifest entry '" + entry.name() + "' is malformed");
            }
        }
    }

    private static void requireConfigured(ModuleConfig module, String table) throws BatchRejectedException {
        if (table == null || !module.tables().contains(table)) {
            throw BatchRejectedException.incurable("manifest names table '" + table + "', which module " + module.name()
                    + " does not replicate (poolpair.module." + module.name() + ".tables)");
        }
    }

    /**
     * The declared size bounds what the entry may decompress to (the stream stops past it), so the ratio of
     * declared to stored size is the ratio actually reached. Small entries are exempt: a few hundred KiB of
     * zeros does no harm and a short NDJSON entry can compress very well.
     */
    private void checkCompressionRatio(ZipEntry zipEntry, Manifest.Entry entry) throws BatchRejectedException {
        long stored = Math.max(1, zipEntry.getCompressedSize());
        if (entry.size() > BatchLimits.RATIO_EXEMPT_BYTES && entry.size() / stored > limits.maxCompressionRatio()) {
            throw BatchRejectedException.incurable(entry.name() + " decompresses " + entry.size() / stored
                    + " times its stored size (" + stored + " bytes to " + entry.size()
                    + "), over poolpair.import.max-compression-ratio " + limits.maxCompressionRatio());
        }
    }

    /**
     * Reads an entry's stored bytes through and holds them to the manifest's size and sha256; only then, for row entries,
     * reads it again (the file is this pool's private copy, so both passes read the same bytes) and checks every row
     * against the receiving table: nothing of an entry is parsed before it is known to be the one signed for. A row
     * problem found then is in what the sender signed, so no copy of the batch will pass here (incurable).
     */
    private void checkEntry(BatchReader zip, ZipEntry zipEntry, Manifest.Entry entry, Manifest manifest)
            throws BatchRejectedException, IOException {
        if (zipEntry.getSize() >= 0 && zipEntry.getSize() != entry.size()) {
            throw new BatchRejectedException(entry.name() + " is " + zipEntry.getSize() + " bytes, the manifest says "
                    + entry.size());
        }
        checkCompressionRatio(zipEntry, entry);
        zip.checkStored(entry);
        if (Manifest.Entry.CONTENT.equals(entry.op()) || Manifest.Entry.KEY_TIMES.equals(entry.op())) {
            return;
        }
        try (CheckedEntryStream again = zip.stored(entry)) {
            rows.check(zip.plain(again, entry), entry);
        } catch (BatchRejectedException e) {
            throw BatchRejectedException.incurable(e.getMessage(), e);
        } catch (IOException e) {
            if (!BatchFile.isFormatProblem(e)) {
                throw e;
            }
            throw BatchRejectedException.incurable(entry.name() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** How the verifier opens a batch zip: {@link ZipFile#ZipFile(File)}; a test may put a faulty share here. */
    public interface ZipOpener {
        ZipFile open(File file) throws IOException;
    }

    private ZipOpener zips = ZipFile::new;

    /** Test seam: opens batch zips with {@code opener}, e.g. one whose reads fail as a faulty share's would. */
    public void openZipsWith(ZipOpener opener) {
        this.zips = opener;
    }
}
