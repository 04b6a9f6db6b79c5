package io.poolpair.importer;

import io.poolpair.state.ImportState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.Headers;
import io.poolpair.batch.BatchFile;
import io.poolpair.batch.BatchReader;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.failover.ConflictCheck;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.store.BulkEntry;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import java.io.File;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import io.poolpair.metrics.PoolPairMetrics;
import io.poolpair.content.ContentStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipFile;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a verified batch in one transaction with capture suppressed: deletes in reverse configured table
 * order, then upserts in configured order, streamed line by line (in bulk where the dialect has a bulk form, see
 * {@link Dialect#bulkEntry}, else in JDBC batches), and the batch recorded as applied in the same transaction. Entry hashes are checked again while streaming, so a file changed after verification
 * rolls back instead of applying.
 *
 * <p>One class over 300 lines because everything it does belongs to one database transaction (deletes, upserts,
 * conflicts, the full sync sweep, content files placed before the commit, the batch recorded as applied).
 */
public final class BatchApplier {

    private static final Logger LOG = LoggerFactory.getLogger(BatchApplier.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int JDBC_BATCH = 500;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final TableCatalog catalog;
    private final Signer signer;
    private final ImportState state;
    private final PoolPairMetrics metrics;
    private final PoolConfig config;
    private final Map<String, ContentStore> content;
    private final EntryCipher cipher;
    private final FailoverSeam failover;

    public BatchApplier(DataSource dataSource, Dialect dialect, TableCatalog catalog, Signer signer, ImportState state,
                        PoolPairMetrics metrics, PoolConfig config, Map<String, ContentStore> content, FailoverSeam failover) {
        this.failover = failover;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.catalog = catalog;
        this.signer = signer;
        this.state = state;
        this.metrics = metrics;
        this.config = config;
        this.content = content;
        this.cipher = new EntryCipher(config.key());
    }

    /** Returns the number of rows written (upserts plus deletes). */
    public long apply(@Body File zipFile, @Header(Headers.MODULE) String module, @Header(Headers.BATCH) long batch,
                      @Header(Headers.VERIFIED_MANIFEST) String verified) throws Exception {
        long started = System.nanoTime();
        try (ZipFile file = new ZipFile(zipFile); Connection conn = dataSource.getConnection()) {
            BatchReader zip = BatchReader.open(file, signer, cipher);
            BatchFile.Signed signed = zip.signed();
            Manifest manifest = signed.manifest();
            if (manifest.batch() != batch || !signed.sha256().equals(verified)) {
                throw new BatchRejectedException("the file now holds another manifest than the batch " + batch
                        + " that was verified");
            }
            manifest = withKeyTimes(zip, manifest);
            Map<String, Manifest.Entry> entries = new LinkedHashMap<>();
            manifest.entries().forEach(e -> entries.put(e.name(), e));
            conn.setAutoCommit(false);
            dialect.setApplying(conn, true);
            boolean full = manifest.snapshot();
            // a full sync carries the rows its sender owns: of a module whose rows are all this pool's (owner-pool),
            // none; rows it carries anyway (a sender configured otherwise) would overwrite the owner's copy
            boolean senderOwnsNone = full && !manifest.restore() && config.module(module).ownedByOtherThan(config.peer());
            // a restore does not overwrite the keys this pool has changed again since (their change is still to be sent)
            if (manifest.restore()) {
                // the pending keys are read now and the sweep runs at the end: a row this pool's users commit in between
                // would be neither pending nor in the snapshot, and swept (then exported as deleted)
                dialect.holdWritersOff(conn, catalog.tables(module));
            }
            PendingKeys pending = manifest.restore() ? PendingKeys.load(conn, module) : null;
            // a key written on both pools (outside or during a failover) keeps its newest write on both
            ConflictCheck conflicts = failover.conflictCheck(conn, dialect, manifest, full);
            try (FullSyncSweep sweep = full ? new FullSyncSweep(conn, dialect, config.peer(), module, manifest.firstPart(),
                    pending, config.module(module).contentTable()) : null) {
                List<String> removedFiles = new ArrayList<>();
                long upserts = 0;
                long deletes = 0;
                List<TableInfo> tables = catalog.tables(module);
                // deletes first (children before parents), so that an upsert may take over a UNIQUE value that a
                // deleted row of the same batch held; then upserts (parents before children)
                List<TableInfo> reversed = new ArrayList<>(tables);
                Collections.reverse(reversed);
                for (TableInfo table : reversed) {
                    Manifest.Entry entry = entries.get(Manifest.Entry.nameFor(table.name(), Manifest.Entry.DELETE));
                    if (entry != null) {
                        deletes += applyEntry(conn, zip, manifest, entry, table, false, null, removedFiles, conflicts, null);
                    }
                }
                for (TableInfo table : tables) {
                    Manifest.Entry entry = entries.get(Manifest.Entry.nameFor(table.name(), Manifest.Entry.UPSERT));
                    if (entry != null && !senderOwnsNone) {
                        upserts += applyEntry(conn, zip, manifest, entry, table, true, sweep, null, conflicts, pending);
                    }
                }
                if (full) {
                    sweep.flush();
                    if (manifest.part() == manifest.parts() && !senderOwnsNone) {
                        // a restore replaces the whole copy; a full sync only the sender's own rows
                        deletes += sweep.deleteUnseen(tables, manifest.restore() ? java.util.Optional.empty()
                                : config.module(module).ownerColumn());
                        ContentStore store = config.module(module).contentTable().map(content::get).orElse(null);
                        if (store != null) {
                            for (JsonNode key : sweep.deleted(store.table().name())) {
                                removedFiles.add(store.relativePath(key));
                            }
                        }
                    }
                }
                placeContent(zip, manifest);
                boolean splitBrain = !full && failover.splitBrain(manifest);
                if (splitBrain) {
                    failover.recordSplitBrain(conn);
                }
                state.recordApplied(conn, module, manifest, signed.sha256(), upserts, deletes);
                conn.commit();
                if (splitBrain) {
                    LOG.error("split brain: {} wrote batch {} of {} ({} changes) while {} acts for it", config.peer(), batch,
                            module, manifest.changes(), config.pool());
                }
                if (conflicts != null) {
                    conflicts.logFound(batch);
                    metrics.conflictsResolved(module, conflicts.found().size());
                }
                removeContent(module, removedFiles);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                LOG.info("applied module={} batch={}{} rows={} (upserts={} deletes={}) bytes={} ms={}", module, batch,
                        full ? " " + manifest.kind().name().toLowerCase(java.util.Locale.ROOT) + " part " + manifest.part()
                                + "/" + manifest.parts() : "", upserts + deletes, upserts, deletes, zipFile.length(),
                        took.toMillis());
                metrics.batchApplied(module, zipFile.length(), took);
                return upserts + deletes;
            } catch (Exception e) {
                conn.rollback();
                throw e;
            } finally {
                dialect.setApplying(conn, false);
                conn.setAutoCommit(true);
            }
        }
    }

    /** The manifest with the key times of its {@code failover/key-times.json} entry, when it has one. */
    private Manifest withKeyTimes(BatchReader zip, Manifest manifest) throws IOException, BatchRejectedException {
        var entry = manifest.keyTimesEntry();
        if (entry.isEmpty()) {
            return manifest;
        }
        return manifest.withKeyTimes(zip.read(entry.get(), in -> KEY_TIMES_JSON.readValue(in, KEY_TIMES_TYPE)));
    }

    // the key times' field names are the batch's keys, each seen once: interning and canonicalizing them (Jackson's
    // default, meant for a few field names seen again and again) cost more than the rest of the parse
    private static final com.fasterxml.jackson.databind.ObjectMapper KEY_TIMES_JSON = new com.fasterxml.jackson.databind.ObjectMapper(
            com.fasterxml.jackson.core.JsonFactory.builder()
                    .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .disable(com.fasterxml.jackson.core.JsonFactory.Feature.INTERN_FIELD_NAMES).build());
    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Map<String, String>>> KEY_TIMES_TYPE =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    /**
     * Applies one row entry; for deletes of a content table, collects the files to remove after the commit in
     * {@code removedFiles}.
     */
    private long applyEntry(Connection conn, BatchReader zip, Manifest manifest, Manifest.Entry entry, TableInfo table,
                            boolean upsert, FullSyncSweep sweep, List<String> removedFiles, ConflictCheck conflicts,
                            PendingKeys pending) throws BatchRejectedException, SQLException, IOException {
        ContentStore store = upsert ? null : content.get(table.name());
        // the file may have changed since it was verified: then nothing of it commits
        try (Statements statements = new Statements(conn)) {
            return zip.read(entry, plain -> applyRows(plain, entry, table, upsert, statements, sweep, store, removedFiles,
                    conflicts, pending));
        }
    }

    private long applyRows(InputStream plain, Manifest.Entry entry, TableInfo table, boolean upsert, Statements statements,
                           FullSyncSweep sweep, ContentStore store, List<String> removedFiles, ConflictCheck conflicts,
                           PendingKeys pending) throws BatchRejectedException, SQLException, IOException {
        long rows = 0;
        long kept = 0;
        BulkEntry bulk = dialect.bulkEntry(statements.conn, table, upsert).orElse(null);
        NdjsonRows lines = new NdjsonRows(plain, entry);
        for (JsonNode row = lines.next(); row != null; row = lines.next()) {
            rows++;
            if (conflicts != null && !conflicts.incomingWins(table, row, upsert)) {
                kept++; // this pool's newer write of the key is kept
                continue;
            }
            if (pending != null && pending.contains(table, row)) {
                kept++; // changed here since this pool was rebuilt: its own write is newer and still to be sent
                continue;
            }
            Bound bound = bound(table, upsert, row);
            if (bulk != null && !offer(bulk, table, bound)) {
                // another column set or a value COPY cannot carry: what was taken is written, the rest goes row by row
                bulk.finish();
                bulk = null;
            }
            if (bulk == null) {
                bind(statements, table, upsert, bound);
            }
            if (sweep != null) {
                sweep.seen(table, row);
            }
            if (store != null) {
                removedFiles.add(store.relativePath(row));
            }
            if (rows % JDBC_BATCH == 0) {
                statements.flush();
            }
        }
        if (bulk != null) {
            bulk.finish();
        }
        statements.flush();
        return rows - kept;
    }

    /**
     * Streams each content file of the batch next to its place, checks its size and sha256 against the signed
     * manifest, then moves it into place. Runs before the rows commit: a file without its row is harmless, a
     * row without its file is not.
     */
    private void placeContent(BatchReader zip, Manifest manifest) throws BatchRejectedException, IOException {
        for (Manifest.Entry entry : manifest.entries()) {
            if (!Manifest.Entry.CONTENT.equals(entry.op())) {
                continue;
            }
            ContentStore store = content.get(entry.table());
            if (store == null) {
                throw new BatchRejectedException("content entry " + entry.name() + " for a table without content-dir");
            }
            Path[] placed = new Path[2];
            try {
                zip.read(entry, in -> {
                    // an encrypted batch names its content entries by number; the file's path is inside, encrypted
                    Path target = store.file(manifest.encryption() == null ? store.relativePathOfEntry(entry.name())
                            : store.readSealedPath(in, entry.name()));
                    Files.createDirectories(target.getParent());
                    placed[0] = target;
                    placed[1] = target.resolveSibling(target.getFileName() + ".part");
                    Files.copy(in, placed[1], StandardCopyOption.REPLACE_EXISTING);
                    return null;
                });
            } catch (BatchRejectedException e) {
                if (placed[1] != null) {
                    Files.deleteIfExists(placed[1]);
                }
                throw e;
            }
            Files.move(placed[1], placed[0], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void removeContent(String module, List<String> files) throws IOException {
        ContentStore store = config.module(module).contentTable().map(content::get).orElse(null);
        for (String relative : files) {
            Files.deleteIfExists(store.file(relative));
        }
    }

    /** The columns a row binds (all its columns for an upsert, the key for a delete) and their values. */
    private record Bound(List<Column> columns, List<JsonNode> values) {
    }

    private static Bound bound(TableInfo table, boolean upsert, JsonNode row) throws BatchRejectedException {
        List<Column> columns = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Column column = table.column(field.getKey()).orElseThrow(() -> new BatchRejectedException(
                    "table " + table.name() + " has no column '" + field.getKey() + "'"));
            columns.add(column);
            values.add(field.getValue());
        }
        for (Column key : table.primaryKey()) {
            if (!columns.contains(key)) {
                throw new BatchRejectedException("a row of " + table.name() + " lacks key column " + key.name());
            }
        }
        if (upsert) {
            return new Bound(columns, values);
        }
        List<JsonNode> keyValues = new ArrayList<>();
        for (Column key : table.primaryKey()) {
            keyValues.add(values.get(columns.indexOf(key)));
        }
        return new Bound(table.primaryKey(), keyValues);
    }

    private static boolean offer(BulkEntry bulk, TableInfo table, Bound row) throws BatchRejectedException, SQLException {
        try {
            return bulk.add(row.columns(), row.values());
        } catch (IllegalArgumentException e) {
            throw new BatchRejectedException("table " + table.name() + ": " + e.getMessage(), e);
        }
    }

    private void bind(Statements statements, TableInfo table, boolean upsert, Bound row)
            throws BatchRejectedException, SQLException {
        PreparedStatement ps = statements.get(row.columns(), () -> upsert ? dialect.upsertSql(table, row.columns())
                : "DELETE FROM " + dialect.qualified(table) + " WHERE " + dialect.keyCondition(table));
        try {
            for (int i = 0; i < row.columns().size(); i++) {
                dialect.bind(ps, i + 1, row.values().get(i), row.columns().get(i));
            }
        } catch (IllegalArgumentException e) {
            throw new BatchRejectedException("table " + table.name() + ": " + e.getMessage(), e);
        }
        ps.addBatch();
    }

    /**
     * Prepared statements of one entry (one table, one operation), by the columns a row binds: rows may carry
     * different column sets, and the SQL is built once per set rather than once per row.
     */
    private static final class Statements implements AutoCloseable {
        private final Connection conn;
        private final Map<List<Column>, PreparedStatement> bySql = new LinkedHashMap<>();

        Statements(Connection conn) {
            this.conn = conn;
        }

        PreparedStatement get(List<Column> columns, java.util.function.Supplier<String> sql) throws SQLException {
            PreparedStatement ps = bySql.get(columns);
            if (ps == null) {
                ps = conn.prepareStatement(sql.get());
                bySql.put(List.copyOf(columns), ps);
            }
            return ps;
        }

        void flush() throws SQLException {
            for (PreparedStatement ps : bySql.values()) {
                ps.executeBatch();
            }
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement ps : bySql.values()) {
                ps.close();
            }
        }
    }
}
