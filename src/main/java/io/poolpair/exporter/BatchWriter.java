package io.poolpair.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.Headers;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.failover.FailoverState;
import io.poolpair.failover.KeyTimes;
import io.poolpair.failover.PeerRowWrites;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import io.poolpair.content.ContentBudget;
import io.poolpair.content.ContentStore;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a numbered batch into the outbox as a signed zip. The changes claimed into the batch are coalesced
 * by key and the latest state of each key is read in one transaction: a row that exists is an upsert, a key
 * whose row is gone is a delete.
 *
 * <p>A bean with {@link ZipOutputStream} rather than camel-zipfile: rows stream straight from the result set
 * into the entry while its size and sha256 are computed for the manifest, which is written last and signed.
 */
public final class BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int KEYS_PER_READ = 1000;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final TableCatalog catalog;
    private final Signer signer;
    private final String pool;
    private final String peer;
    private final Path outbox;
    private final Map<String, ContentStore> content;
    private final ContentBudget budget;
    private final EntryCipher cipher;
    private final FailoverState failover;
    private final PeerRowWrites peerRows;

    public BatchWriter(DataSource dataSource, Dialect dialect, TableCatalog catalog, Signer signer, String pool, String peer,
                       Path outbox, Map<String, ContentStore> content, ContentBudget budget, EntryCipher cipher,
                       FailoverState failover, PeerRowWrites peerRows) {
        this.failover = failover;
        this.peerRows = peerRows;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.catalog = catalog;
        this.signer = signer;
        this.pool = pool;
        this.peer = peer;
        this.outbox = outbox;
        this.content = content;
        this.budget = budget;
        this.cipher = cipher;
    }

    /** Stages batch {@code batch} of {@code module}; returns the outbox file. Does nothing if already staged. */
    public Path stage(@Header(Headers.MODULE) String module, @Header(Headers.BATCH) long batch) throws Exception {
        BatchName name = new BatchName(pool, module, batch);
        Path target = outbox.resolve(name.fileName());
        if (Files.exists(target)) {
            return target;
        }
        long started = System.nanoTime();
        Files.createDirectories(outbox);
        Path tmp = outbox.resolve(name.fileName() + "." + UUID.randomUUID() + ".tmp");
        Manifest manifest;
        List<Deferred> deferred = new ArrayList<>();
        PeerRows flagged = new PeerRows();
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            conn.setReadOnly(true);
            // one snapshot for the whole batch, so rows of related tables are read as of the same moment
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                manifest = write(conn, module, batch, tmp, deferred, flagged);
                conn.commit();
            } catch (IOException e) {
                conn.rollback();
                Files.deleteIfExists(tmp);
                throw new IOException("cannot stage " + name.fileName() + " in the outbox " + outbox + ": " + e.getMessage(), e);
            } catch (Exception e) {
                conn.rollback();
                Files.deleteIfExists(tmp);
                throw e;
            } finally {
                conn.setReadOnly(false);
                conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        deferToNextCycle(module, batch, deferred);
        if (catalog.tables(module).stream().anyMatch(t -> content.containsKey(t.name()))) {
            recordContentWaiting(module);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (peerRows.flagging()) {
            peerRows.record(module, batch, flagged.count, flagged.last);
        }
        long rows = manifest.tables().values().stream().mapToLong(t -> t.upserts() + t.deletes()).sum();
        LOG.info("staged module={} batch={} changes={} rows={} bytes={} ms={}", module, batch, manifest.changes(), rows,
                Files.size(target), (System.nanoTime() - started) / 1_000_000);
        return target;
    }

    private Manifest write(Connection conn, String module, long batch, Path tmp, List<Deferred> deferred, PeerRows flagged)
            throws Exception {
        // the batch carries the captured time of each key's latest change: a key written on both pools keeps its
        // newest write on both (ConflictCheck), whether or not a failover is in effect
        boolean stamped = true;
        ClaimedKeys claimed = claimedKeys(conn, module, batch, stamped);
        Map<String, Manifest.TableCounts> counts = new LinkedHashMap<>();
        List<Manifest.Entry> entries = new ArrayList<>();
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            for (TableInfo table : catalog.tables(module)) {
                List<String> keys = claimed.byTable.get(table.name());
                if (keys == null) {
                    continue;
                }
                List<JsonNode> deletes = new ArrayList<>();
                List<String> files = new ArrayList<>();
                long upserts = writeEntry(zip, entries, table, Manifest.Entry.UPSERT,
                        gen -> writeUpserts(conn, gen, table, keys, deletes, files, deferred, flagged));
                ContentStore store = content.get(table.name());
                for (String file : files) {
                    BatchZip.writeContent(zip, entries, store, file, cipher);
                }
                if (!deletes.isEmpty()) {
                    writeEntry(zip, entries, table, Manifest.Entry.DELETE, gen -> writeDeletes(gen, table, deletes));
                }
                counts.put(table.name(), new Manifest.TableCounts(upserts, deletes.size()));
            }
            Manifest manifest = new Manifest(Manifest.FORMAT, pool, peer, module, batch, Manifest.DELTA, 1, 1, claimed.minId,
                    claimed.maxId, claimed.changes, Instant.now().toString(), counts, entries,
                    cipher == null ? null : EntryCipher.ALGORITHM, stamped ? claimed.times : null,
                    StoreIncarnation.info(conn).incarnation(), null, null);
            BatchZip.writeSignedManifest(zip, manifest, signer);
            return manifest;
        }
    }

    /** Writes rows that still exist; collects the keys whose rows are gone as deletes. Returns rows written. */
    private long writeUpserts(Connection conn, JsonGenerator gen, TableInfo table, List<String> keys, List<JsonNode> deletes,
                              List<String> files, List<Deferred> deferred, PeerRows flagged) throws Exception {
        Optional<String> byKeys = dialect.rowsByKeysSql(table);
        return byKeys.isPresent() ? writeUpsertsByKeys(conn, byKeys.get(), gen, table, keys, deletes, files, deferred, flagged)
                : writeUpsertsKeyByKey(conn, gen, table, keys, deletes, files, deferred, flagged);
    }

    /** Reads the rows {@value #KEYS_PER_READ} keys at a time (one statement each), in the keys' order. */
    private long writeUpsertsByKeys(Connection conn, String sql, JsonGenerator gen, TableInfo table, List<String> keys,
                                    List<JsonNode> deletes, List<String> files, List<Deferred> deferred, PeerRows flagged)
            throws Exception {
        ContentStore store = content.get(table.name());
        List<Column> columns = table.columns();
        int firstKey = columns.indexOf(table.primaryKey().get(0));
        int owner = ownerIndex(table);
        long written = 0;
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int from = 0; from < keys.size(); from += KEYS_PER_READ) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_READ));
                ps.setString(1, "[" + String.join(",", chunk) + "]");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String keyJson = chunk.get(rs.getInt(1) - 1);
                        if (rs.getObject(2 + firstKey) == null) {
                            deletes.add(MAPPER.readTree(keyJson));
                            continue;
                        }
                        if (store != null && !includeContent(store, table, table.primaryKey(), MAPPER.readTree(keyJson), files,
                                expectedSize(store, rs, 2, columns))) {
                            deferred.add(new Deferred(table.name(), keyJson));
                            continue;
                        }
                        flagPeerRow(rs, 2, owner, table, keyJson, flagged);
                        writeRow(gen, rs, 2, columns);
                        written++;
                    }
                }
            }
        }
        return written;
    }

    private long writeUpsertsKeyByKey(Connection conn, JsonGenerator gen, TableInfo table, List<String> keys,
                                      List<JsonNode> deletes, List<String> files, List<Deferred> deferred, PeerRows flagged)
            throws Exception {
        ContentStore store = content.get(table.name());
        int owner = ownerIndex(table);
        List<Column> columns = table.columns();
        List<Column> pk = table.primaryKey();
        long written = 0;
        String sql = "SELECT " + dialect.columnList(columns) + " FROM " + dialect.qualified(table) + " WHERE "
                + dialect.keyCondition(table);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (String keyJson : keys) {
                JsonNode key = MAPPER.readTree(keyJson);
                for (int i = 0; i < pk.size(); i++) {
                    dialect.bind(ps, i + 1, key.get(i), pk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (store != null && !includeContent(store, table, pk, key, files, expectedSize(store, rs, 1, columns))) {
                            deferred.add(new Deferred(table.name(), keyJson));
                            continue;
                        }
                        flagPeerRow(rs, 1, owner, table, keyJson, flagged);
                        writeRow(gen, rs, 1, columns);
                        written++;
                    } else {
                        deletes.add(key);
                    }
                }
            }
        }
        return written;
    }

    /** Rows homed on the peer in a batch (flagged once staged, unless this pool acts for the peer). */
    private static final class PeerRows {
        long count;
        String last;
    }

    /** The owner column's position among the table's columns, or -1. */
    private int ownerIndex(TableInfo table) {
        return peerRows.ownerColumn(table).map(o -> {
            for (int i = 0; i < table.columns().size(); i++) {
                if (table.columns().get(i).name().equals(o)) {
                    return i;
                }
            }
            return -1;
        }).orElse(-1);
    }

    private void flagPeerRow(ResultSet rs, int first, int owner, TableInfo table, String keyJson, PeerRows flagged)
            throws SQLException {
        if (owner >= 0 ? peerRows.homedOnPeer(rs.getString(first + owner)) : peerRows.tableHomedOnPeer(table)) {
            flagged.count++;
            flagged.last = table.name() + " " + keyJson;
        }
    }

    /** One NDJSON line from the current row, whose first column is at {@code first}. */
    private static void writeRow(JsonGenerator gen, ResultSet rs, int first, List<Column> columns)
            throws SQLException, IOException {
        gen.writeStartObject();
        for (int i = 0; i < columns.size(); i++) {
            gen.writeFieldName(columns.get(i).name());
            ValueCodec.write(gen, rs, first + i, columns.get(i));
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }

    /** The file size the current row records (content-size-column), or null. */
    private static Long expectedSize(ContentStore store, ResultSet rs, int first, List<Column> columns) throws SQLException {
        if (store.sizeColumn().isEmpty()) {
            return null;
        }
        long size = rs.getLong(first + columns.indexOf(store.sizeColumn().get()));
        return rs.wasNull() ? null : size;
    }

    /**
     * Takes the row's file into this batch if it is complete and the cycle's content allowance has room for it.
     * A row whose file is missing or smaller than the row records waits (it is captured again for a later batch,
     * and status names the file): it never travels without its file.
     */
    private boolean includeContent(ContentStore store, TableInfo table, List<Column> pk, JsonNode key, List<String> files,
                                   Long expectedSize) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode keyObject = MAPPER.createObjectNode();
        for (int i = 0; i < pk.size(); i++) {
            keyObject.set(pk.get(i).name(), key.get(i));
        }
        String relative = store.relativePath(keyObject);
        Path file = store.file(relative);
        String incomplete = ContentStore.incomplete(file, expectedSize);
        if (incomplete != null) {
            contentWaits(table.module(), relative + " (" + incomplete + ", waiting since " + Instant.now() + ")", file);
            return false;
        }
        ContentBudget.Decision decision = budget.take(table.module(), Files.size(file), file.toString());
        if (decision == ContentBudget.Decision.WAITS) {
            return false;
        }
        if (decision == ContentBudget.Decision.TRAVELS_ALONE) {
            try (Connection conn = dataSource.getConnection();
                 PreparedStatement ps = conn.prepareStatement("UPDATE pp_export SET oversized_content = ? WHERE module = ?")) {
                ps.setString(1, relative + " (" + Files.size(file) + " bytes, travelled alone at " + Instant.now() + ")");
                ps.setString(2, table.module());
                ps.executeUpdate();
            }
        }
        files.add(relative);
        return true;
    }

    /** Files rows wait for, per module, as staging found them; the first wait of each file is logged. */
    private final Map<String, String> waitingFor = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<Path> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void contentWaits(String module, String what, Path file) {
        waitingFor.merge(module, what, (a, b) -> a);
        if (warned.size() > 10_000) {
            warned.clear(); // bounded: a file may be warned about again after many others
        }
        if (warned.add(file)) {
            LOG.warn("{}: {} — its row waits until the file is complete", module, what);
        }
    }

    /** Status: the file a row of the module waits for, or none once a batch staged without waiting for one. */
    private void recordContentWaiting(String module) throws SQLException {
        String what = waitingFor.remove(module);
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE pp_export SET content_waiting = ? WHERE module = ?")) {
            ps.setString(1, what == null ? null : what.length() > 3900 ? what.substring(0, 3900) : what);
            ps.setString(2, module);
            ps.executeUpdate();
        }
        if (what == null) {
            warned.clear();
        }
    }

    /** A changed key whose content did not fit this cycle: captured again, so a later batch ships it. */
    private record Deferred(String table, String key) {
    }

    private void deferToNextCycle(String module, long batch, List<Deferred> deferred) throws SQLException {
        if (deferred.isEmpty()) {
            return;
        }
        // captured again with the time of the change it defers, so the key's time (conflicts) does not move
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO pp_change (module, table_name, pk, op, changed_at) SELECT ?, ?, ?, 'U',"
                        + " COALESCE(MAX(changed_at), CURRENT_TIMESTAMP)"
                        + " FROM pp_change WHERE module = ? AND table_name = ? AND pk = ? AND batch = ?")) {
            for (Deferred d : deferred) {
                ps.setString(1, module);
                ps.setString(2, d.table());
                ps.setString(3, d.key());
                ps.setString(4, module);
                ps.setString(5, d.table());
                ps.setString(6, d.key());
                ps.setLong(7, batch);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        LOG.info("{}: {} row(s) with content wait for a later batch (file incomplete, or"
                + " poolpair.max-dataconf-package-size-kb reached)", module, deferred.size());
    }

    private static long writeDeletes(JsonGenerator gen, TableInfo table, List<JsonNode> deletes) throws IOException {
        List<Column> pk = table.primaryKey();
        for (JsonNode key : deletes) {
            gen.writeStartObject();
            for (int i = 0; i < pk.size(); i++) {
                gen.writeFieldName(pk.get(i).name());
                gen.writeTree(key.get(i));
            }
            gen.writeEndObject();
            gen.writeRaw('\n');
        }
        return deletes.size();
    }

    private interface RowsWriter {
        long write(JsonGenerator gen) throws Exception;
    }

    private long writeEntry(ZipOutputStream zip, List<Manifest.Entry> entries, TableInfo table, String op, RowsWriter rows)
            throws Exception {
        String entryName = Manifest.Entry.nameFor(table.name(), op);
        zip.putNextEntry(new ZipEntry(entryName));
        EntryStream out = new EntryStream(zip);
        long count;
        try (JsonGenerator gen = MAPPER.createGenerator(BatchZip.sealed(out, cipher, entryName))) {
            gen.setRootValueSeparator(null);
            count = rows.write(gen);
        }
        zip.closeEntry();
        entries.add(new Manifest.Entry(entryName, table.name(), op, out.size(), out.sha256()));
        return count;
    }

    private record ClaimedKeys(Map<String, List<String>> byTable, long minId, long maxId, long changes,
                               Map<String, Map<String, String>> times) {
    }

    private static ClaimedKeys claimedKeys(Connection conn, String module, long batch, boolean stamped) throws SQLException {
        Map<String, List<String>> byTable = new LinkedHashMap<>();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long changes = 0;
        Map<String, Map<String, String>> times = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, pk, MIN(id), MAX(id), COUNT(*), MAX(changed_at) FROM pp_change"
                + " WHERE module = ? AND batch = ? GROUP BY table_name, pk ORDER BY MIN(id)")) {
            ps.setString(1, module);
            ps.setLong(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byTable.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
                    min = Math.min(min, rs.getLong(3));
                    max = Math.max(max, rs.getLong(4));
                    changes += rs.getLong(5);
                    if (stamped) {
                        times.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                                .put(KeyTimes.normalize(rs.getString(2)), rs.getTimestamp(6).toInstant().toString());
                    }
                }
            }
        }
        if (changes == 0) {
            throw new SQLException("batch " + batch + " of " + module + " has no claimed changes left in pp_change");
        }
        return new ClaimedKeys(byTable, min, max, changes, times);
    }
}
