package io.poolpair.exporter;

import io.poolpair.state.ExportState;
import io.poolpair.Headers;
import io.poolpair.batch.BatchLimits;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.BatchZip;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.content.ContentStore;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.state.ImportState;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of one module, read in one transaction and streamed into parts of at most max-changes-per-batch
 * rows that each fit the {@link BatchLimits} (entries, bytes, the files of a content table), numbered in the module's batch sequence so that deltas follow them. Two kinds:
 * <ul>
 * <li>a full sync: every row this pool owns. The receiver replaces its copy of this pool's rows with the parts:
 * rows missing from the snapshot are deleted there, its own rows are left alone;</li>
 * <li>a restore: every row this pool holds, its own and the peer's, with their files, for a peer that was rebuilt
 * or restored from an older backup (a new incarnation). Its first part is a baseline: it supersedes every batch
 * before it, so the peer applies it whatever it applied before, and replaces its whole copy with the parts
 * (except the keys it has changed again since, which it still has to send).</li>
 * </ul>
 * A restore is held back while this pool acts for the peer after a failover: {@code failback} sends it.
 *
 * <p>The parts are written under a temporary name first; each passes the peer's importer checks
 * ({@link StagedCheck}); their numbers are taken in one transaction afterwards, and only then renamed into the outbox
 * ({@link Outbox#placeNumberedSnapshotParts}),
 * so a crash never leaves a numbered part half-written, and no part the peer would reject is ever numbered. When the
 * limits cut more parts than the row count alone (the manifest of each names the number of parts), the parts are
 * rewritten with the final count before they are checked.
 *
 * <p>One class over 300 lines because what a snapshot holds (owned or every row), how it is cut into parts, and how the
 * parts are numbered, renumbered and checked before any is published are one decision made in one transaction.
 */
public final class FullSnapshot {

    public static final Manifest.Kind KIND = Manifest.Kind.FULL;
    static final String PART_SUFFIX = ".full-part";
    static final String RENUMBER_SUFFIX = ".renumber";

    private static final Logger LOG = LoggerFactory.getLogger(FullSnapshot.class);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final TableCatalog catalog;
    private final Signer signer;
    private final PoolConfig config;
    private final ExportState state;
    private final Map<String, ContentStore> content;
    private final EntryCipher cipher;
    private final FailoverSeam failover;
    private final BatchLimits limits;
    private final StagedCheck check;

    public FullSnapshot(DataSource dataSource, Dialect dialect, TableCatalog catalog, Signer signer, PoolConfig config,
                        ExportState state, Map<String, ContentStore> content, EntryCipher cipher, FailoverSeam failover,
                        BatchLimits limits, StagedCheck check) {
        this.limits = limits;
        this.check = check;
        this.failover = failover;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.catalog = catalog;
        this.signer = signer;
        this.config = config;
        this.state = state;
        this.content = content;
        this.cipher = cipher;
    }

    /**
     * True when the module owes the peer a snapshot: a full sync (requested by an operator, or the initial pairing),
     * or a restore (a new incarnation of the peer), unless this pool is acting for the peer and has not started to
     * fail back.
     */
    public boolean due(@Header(Headers.MODULE) String module) throws SQLException {
        ExportState.Snapshot s = state.get(module);
        return s.fullSyncRequested() || (s.restoreRequested() && !restoreHeldBack());
    }

    private boolean restoreHeldBack() throws SQLException {
        return failover.restoreHeldBack();
    }

    /** Stages the module's full sync or restore into the outbox; returns the number of parts. */
    public int stage(@Header(Headers.MODULE) String module) throws Exception {
        long started = System.nanoTime();
        ModuleConfig moduleConfig = config.module(module);
        ExportState.Snapshot before = state.get(module);
        boolean restore = before.restoreRequested() && !restoreHeldBack();
        // a restore carries every row, whoever owns it; a full sync only this pool's own
        Optional<String> owner = restore ? Optional.empty() : moduleConfig.ownedByOtherThan(config.pool())
                ? Optional.of(OWNS_NONE) : moduleConfig.ownerColumn();
        long first = before.lastBatch() + 1;
        List<Path> parts = new ArrayList<>();
        List<Long> partRows = new ArrayList<>();
        Written written;
        try {
            written = RowWriter.inOneSnapshot(dataSource, conn -> {
                long total = 0;
                for (TableInfo table : catalog.tables(module)) {
                    total += count(conn, table, owner);
                }
                int partCount = (int) Math.max(1, (total + config.maxChangesPerBatch() - 1) / config.maxChangesPerBatch());
                // how far this snapshot holds the peer's own changes: read in the same snapshot as the rows
                ImportState.Snapshot peerApplied = new ImportState(dataSource, config.peer()).get(conn, module);
                Kind k = new Kind(restore ? Manifest.Kind.RESTORE : KIND, StoreIncarnation.info(conn).incarnation(),
                        restore ? first : null, restore ? total : null, restore ? peerApplied.sourceIncarnation() : null,
                        restore ? peerApplied.lastApplied() : null);
                return new Written(write(conn, module, owner, first, partCount, parts, partRows, k), k, partCount);
            });
            if (parts.size() != written.partCount()) {
                for (Path part : parts) {
                    BatchZip.rewriteManifest(part, m -> m.withParts(parts.size()), signer, RENUMBER_SUFFIX);
                }
            }
            checkParts(module, first, parts);
        } catch (Exception e) {
            for (Path p : parts) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
        long rows = written.rows();
        Kind kind = written.kind();
        // the parts are renamed into place by the route's next step (Outbox.placeNumberedSnapshotParts), which is
        // also what a restart does with parts numbered before a crash
        state.numberSnapshot(module, first, partRows, restore, kind.peerIncarnation(),
                kind.peerApplied() == null ? 0 : kind.peerApplied());
        String what = restore ? "restore snapshot" : "full sync";
        long through = 0;
        for (int i = 0; i < partRows.size(); i++) {
            through += partRows.get(i);
            LOG.info("staged {} part {}/{} module={} batch={} rows={}, rows through this part {}/{}", what, i + 1,
                    partRows.size(), module, first + i, partRows.get(i), through, rows);
        }
        LOG.info("staged {} module={} batches={}..{} rows={} ms={}", what, module, first,
                first + parts.size() - 1, rows, (System.nanoTime() - started) / 1_000_000);
        return parts.size();
    }

    /** The peer's importer checks on every part before any is numbered: a part that fails refuses the snapshot. */
    private void checkParts(String module, long first, List<Path> parts) throws Exception {
        for (int i = 0; i < parts.size(); i++) {
            try {
                check.check(parts.get(i));
            } catch (BatchRejectedException e) {
                throw new BatchWriter.StagedBatchRefusedException("the snapshot of " + module + " is not published: its part " + (i + 1) + " of " + parts.size() + " (batch "
                        + (first + i) + ") would be rejected by the peer's importer (" + e.getMessage() + "). It holds a single"
                        + " row or file too large for one batch: raise that limit on both pools (the same value on each), or"
                        + " remove the row or file; the next export cycle stages the snapshot again", e);
            }
        }
    }

    /** The snapshot as written: its rows, its kind, and the number of parts the row count foresaw. */
    private record Written(long rows, Kind kind, int partCount) {
    }

    /** What the parts' manifests say besides their numbers: the kind, the sender's incarnation, a restore's baseline and size. */
    private record Kind(Manifest.Kind name, String incarnation, Long baseline, Long snapshotRows, String peerIncarnation,
                        Long peerApplied) {
    }

    static Path finalName(Path part) {
        String name = part.getFileName().toString();
        return part.resolveSibling(name.substring(0, name.length() - PART_SUFFIX.length()));
    }

    private long count(Connection conn, TableInfo table, Optional<String> owner) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT COUNT(*) FROM " + dialect.qualified(table) + ownerFilter(table, owner))) {
            bindOwner(ps, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** In place of an owner column: the module's rows are all the peer's (owner-pool), so a full sync holds none. */
    private static final String OWNS_NONE = "";

    private String ownerFilter(TableInfo table, Optional<String> owner) {
        if (owner.filter(OWNS_NONE::equals).isPresent()) {
            return " WHERE 1 = 0";
        }
        return owner.map(o -> " WHERE " + dialect.quote(table.column(o).orElseThrow().name()) + " = ?").orElse("");
    }

    private void bindOwner(PreparedStatement ps, Optional<String> owner) throws SQLException {
        if (owner.filter(o -> !o.equals(OWNS_NONE)).isPresent()) {
            ps.setString(1, config.pool());
        }
    }

    /** Streams the rows of every table (the owned ones for a full sync), in configured order, into {@code partCount} parts. */
    private long write(Connection conn, String module, Optional<String> owner, long first, int partCount, List<Path> parts,
                       List<Long> partRows, Kind kind) throws Exception {
        PartWriter part = new PartWriter(module, first, 1, partCount, kind);
        long rows = 0;
        for (TableInfo table : catalog.tables(module)) {
            List<Column> columns = table.columns();
            String order = table.primaryKey().stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", "));
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + dialect.columnList(columns) + " FROM "
                    + dialect.qualified(table) + ownerFilter(table, owner) + " ORDER BY " + order)) {
                ps.setFetchSize(1000);
                bindOwner(ps, owner);
                ContentStore store = content.get(table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String file = store == null ? null : fileOf(store, table, rs);
                        long fileBytes = file == null ? -1 : Files.size(store.file(file));
                        if (part.rows > 0 && (part.rows == config.maxChangesPerBatch() || !part.fits(table.name(), fileBytes))) {
                            partRows.add(part.rows);
                            parts.add(part.finish());
                            part = new PartWriter(module, first + part.number, part.number + 1, partCount, kind);
                        }
                        part.row(table, rs, columns, file, fileBytes);
                        rows++;
                    }
                }
            }
        }
        partRows.add(part.rows);
        parts.add(part.finish());
        while (parts.size() < partCount) {
            PartWriter empty = new PartWriter(module, first + parts.size(), parts.size() + 1, partCount, kind);
            partRows.add(0L);
            parts.add(empty.finish());
        }
        return rows;
    }

    /** The file of a content table's row, relative to the content folder, or null when the row has none. */
    private static String fileOf(ContentStore store, TableInfo table, ResultSet rs) throws Exception {
        String relative = store.relativePathOfKey(RowWriter.keyOf(rs, 1, table));
        return Files.isRegularFile(store.file(relative)) ? relative : null;
    }

    /** One part: a zip with an upsert entry per table and a manifest of kind full or restore. */
    private final class PartWriter {
        private final String module;
        private final long batch;
        private final int number;
        private final int of;
        private final Kind kind;
        private final Path file;
        private final BatchZip zip;
        private final Map<String, Manifest.TableCounts> counts = new LinkedHashMap<>();
        private TableEntry current;
        private long rows;
        /** Bytes of the entries closed so far, and of the files waiting to follow the open entry (estimated). */
        private long closedBytes;
        private long pendingFileBytes;

        PartWriter(String module, long batch, int number, int of, Kind kind) throws IOException {
            this.kind = kind;
            this.module = module;
            this.batch = batch;
            this.number = number;
            this.of = of;
            this.file = config.outbox().resolve(new BatchName(config.pool(), module, batch).fileName() + PART_SUFFIX);
            Files.createDirectories(config.outbox());
            this.zip = BatchZip.create(file, cipher);
        }

        /**
         * True when a row of {@code table} (with a file of {@code fileBytes}, or -1 for none) still fits this part's
         * limits: its entries (manifest and signature, one per table, one per file) and bytes (with room for the
         * manifest, and for what the JSON generator holds back).
         */
        boolean fits(String table, long fileBytes) {
            boolean newEntry = current == null || !current.table.equals(table);
            int used = BatchLimits.FRAME_ENTRIES + zip.entries().size() + (current == null ? 0 : 1 + current.files.size())
                    + (newEntry ? 1 : 0) + (fileBytes >= 0 ? 1 : 0);
            long bytes = closedBytes + pendingFileBytes + (current == null ? 0 : current.entry.storedBytes() + current.buffered())
                    + Math.max(0, fileBytes) + BatchLimits.MAX_MANIFEST_BYTES + (256L << 10);
            return used <= limits.maxEntries() && bytes <= limits.maxBatchBytes();
        }

        void row(TableInfo table, ResultSet rs, List<Column> columns, String file, long fileBytes) throws Exception {
            if (current == null || !current.table.equals(table.name())) {
                closeEntry();
                current = new TableEntry(table.name(), zip);
            }
            RowWriter.writeRow(current.entry.gen(), rs, 1, columns);
            current.rows++;
            rows++;
            if (file != null) {
                current.files.add(file);
                pendingFileBytes += fileBytes + fileBytes / 512 + 1024;
            }
        }

        /** Closes the table's row entry, then adds the files of its rows (conference content) after it. */
        private void closeEntry() throws IOException {
            if (current != null) {
                current.entry.close();
                counts.put(current.table, new Manifest.TableCounts(current.rows, 0));
                ContentStore store = content.get(current.table);
                for (String relative : current.files) {
                    zip.content(store.table().name(), relative, store.file(relative));
                }
                current = null;
                closedBytes = zip.storedBytes();
                pendingFileBytes = 0;
            }
        }

        Path finish() throws IOException {
            closeEntry();
            Manifest manifest = Manifest.builder(kind.name(), config.pool(), config.peer(), module, batch).part(number, of)
                    .changes(rows).createdAt(Instant.now().toString()).tables(counts).entries(zip.entries())
                    .encryption(cipher == null ? null : EntryCipher.ALGORITHM).incarnation(kind.incarnation())
                    .baseline(kind.baseline()).snapshotRows(kind.snapshotRows()).build();
            zip.finish(manifest, signer);
            return file;
        }
    }

    /** The upsert entry of one table inside a part. */
    private static final class TableEntry {
        final String table;
        final BatchZip.RowsEntry entry;
        /** What the generator and the cipher hold back at most before it reaches the zip. */
        long buffered() {
            return 128L << 10;
        }
        final List<String> files = new ArrayList<>();
        long rows;

        TableEntry(String table, BatchZip zip) throws IOException {
            this.table = table;
            this.entry = zip.rows(Manifest.Entry.nameFor(table, Manifest.Entry.UPSERT), table, Manifest.Entry.UPSERT);
        }
    }
}
