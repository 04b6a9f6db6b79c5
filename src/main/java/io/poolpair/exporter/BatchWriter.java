package io.poolpair.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.Headers;
import io.poolpair.batch.BatchLimits;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.BatchZip;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
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
 * <p>The zip itself is written by {@link io.poolpair.batch.BatchZip} (streamed, hashed, signed, encrypted), the rows by
 * {@link RowWriter}, as for a full snapshot.
 *
 * <p>Every batch fits the {@link BatchLimits} the peer's importer applies: once the entries or bytes a batch may hold
 * are used up, the remaining claimed keys are captured again (with their original change time), so the next batch
 * of this cycle or a later cycle ships them; a key's changes stay in order, since the key's latest state is read
 * when it is shipped. A staged zip then passes the importer's own checks ({@link StagedCheck}) before it is put in
 * place; one that cannot be made to fit (a single file larger than a whole batch) is refused with an error that names
 * the module, the batch and the limit, and is never published.
 *
 * <p>One class over 300 lines because cutting a delta to the limits is one loop over one read: the claimed keys, the
 * room left ({@code Room}), the rows and files taken in and the keys deferred to a later batch are decided together,
 * row by row, inside the batch's snapshot transaction.
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
    private final FailoverSeam failover;
    private final BatchLimits limits;
    private final StagedCheck check;

    public BatchWriter(DataSource dataSource, Dialect dialect, TableCatalog catalog, Signer signer, String pool, String peer,
                       Path outbox, Map<String, ContentStore> content, ContentBudget budget, EntryCipher cipher,
                       FailoverSeam failover, BatchLimits limits, StagedCheck check) {
        this.limits = limits;
        this.check = check;
        this.failover = failover;
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
        try {
            // one snapshot for the whole batch, so rows of related tables are read as of the same moment
            manifest = RowWriter.inOneSnapshot(dataSource, conn -> write(conn, module, batch, tmp, deferred, flagged));
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot stage " + name.fileName() + " in the outbox " + outbox + ": " + e.getMessage(), e);
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        check(module, batch, tmp);
        deferToNextCycle(module, deferred);
        if (catalog.tables(module).stream().anyMatch(t -> content.containsKey(t.name()))) {
            recordContentWaiting(module);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        failover.stagedPeerRows(module, batch, flagged.count, flagged.last);
        long rows = manifest.tables().values().stream().mapToLong(t -> t.upserts() + t.deletes()).sum();
        LOG.info("staged module={} batch={} changes={} rows={} bytes={} ms={}", module, batch, manifest.changes(), rows,
                Files.size(target), (System.nanoTime() - started) / 1_000_000);
        return target;
    }

    /**
     * The importer's checks on the staged zip, before it is put in place: a batch that fails them is never published
     * (the peer would reject it, and every copy re-sent). The module's export shows ErrorState with this message until
     * the batch can be staged (the next cycle tries again).
     */
    private void check(String module, long batch, Path tmp) throws Exception {
        try {
            check.check(tmp);
        } catch (BatchRejectedException e) {
            Files.deleteIfExists(tmp);
            throw new StagedBatchRefusedException("batch " + batch + " of " + module + " is not published: the peer's"
                    + " importer would reject it (" + e.getMessage() + "). Batches are cut to fit the limits, so it holds a"
                    + " single row or file too large for one batch: raise that limit on both pools (the same value on each), or remove the row or file; the next"
                    + " export cycle stages the batch again", e);
        }
    }

    /** A staged batch that would not pass the peer's checks: refused before it is published. */
    public static final class StagedBatchRefusedException extends Exception {
        StagedBatchRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Manifest write(Connection conn, String module, long batch, Path tmp, List<Deferred> deferred, PeerRows flagged)
            throws Exception {
        // the batch carries the captured time of each key's latest change: a key written on both pools keeps its
        // newest write on both (ConflictCheck), whether or not a failover is in effect
        boolean stamped = true;
        ClaimedKeys claimed = claimedKeys(conn, module, batch, stamped);
        Map<String, Manifest.TableCounts> counts = new LinkedHashMap<>();
        Room room = new Room(claimed, stamped);
        try (BatchZip zip = BatchZip.create(tmp, cipher)) {
            for (TableInfo table : catalog.tables(module)) {
                List<String> keys = claimed.byTable.get(table.name());
                if (keys == null) {
                    continue;
                }
                List<JsonNode> deletes = new ArrayList<>();
                List<String> files = new ArrayList<>();
                long upserts = writeEntry(zip, table.name(), Manifest.Entry.nameFor(table.name(), Manifest.Entry.UPSERT),
                        Manifest.Entry.UPSERT, room,
                        gen -> writeUpserts(conn, gen, table, keys, deletes, files, deferred, flagged, room, claimed));
                ContentStore store = content.get(table.name());
                for (String file : files) {
                    zip.content(store.table().name(), file, store.file(file));
                }
                if (!deletes.isEmpty()) {
                    writeEntry(zip, table.name(), Manifest.Entry.nameFor(table.name(), Manifest.Entry.DELETE),
                            Manifest.Entry.DELETE, room, gen -> writeDeletes(gen, table, deletes));
                }
                counts.put(table.name(), new Manifest.TableCounts(upserts, deletes.size()));
            }
            if (stamped) {
                // an entry like any other (checked, and encrypted when batches are), not the manifest: it grows with the keys
                writeEntry(zip, null, Manifest.Entry.KEY_TIMES_NAME, Manifest.Entry.KEY_TIMES, room, gen -> {
                    MAPPER.writeValue(gen, claimed.times);
                    return 0;
                });
            }
            Manifest manifest = Manifest.builder(Manifest.Kind.DELTA, pool, peer, module, batch)
                    .changeIds(claimed.minId, claimed.maxId).changes(claimed.changes).createdAt(Instant.now().toString())
                    .tables(counts).entries(zip.entries()).encryption(cipher == null ? null : EntryCipher.ALGORITHM)
                    .incarnation(StoreIncarnation.info(conn).incarnation()).build();
            zip.finish(manifest, signer);
            return manifest;
        }
    }

    /**
     * What is left of the batch limits while a batch is written. Reserved up front: the manifest and its signature,
     * an upsert and a delete entry per table with claimed keys, the key times entry, and room for the manifest's
     * bytes and the key times. A row or file that does not fit is deferred, unless it would be the batch's first
     * (a batch always ships something; one that cannot fit even so fails the staged check and is refused).
     */
    private final class Room {
        private int entries;
        private final long reservedBytes;
        private long closedBytes;
        private BatchZip.RowsEntry current;
        private long shipped;

        Room(ClaimedKeys claimed, boolean stamped) {
            this.entries = BatchLimits.FRAME_ENTRIES + 2 * claimed.byTable.size() + (stamped ? 1 : 0);
            long keyBytes = 0;
            if (stamped) {
                for (List<String> keys : claimed.byTable.values()) {
                    for (String key : keys) {
                        keyBytes += key.length() + 40;
                    }
                }
            }
            // manifest.json at most, its signature, key times, and what the JSON generator and zip headers hold back
            this.reservedBytes = BatchLimits.MAX_MANIFEST_BYTES + keyBytes + (256L << 10);
        }

        private long used() {
            return closedBytes + (current == null ? 0 : current.plainBytes()) + reservedBytes;
        }

        /** True when a row (and its file of {@code fileBytes}, or -1 for none) still fits; counts it in if so. */
        boolean take(long fileBytes) {
            boolean fits = used() + Math.max(0, fileBytes) <= limits.maxBatchBytes()
                    && (fileBytes < 0 || entries + 1 <= limits.maxEntries());
            if (!fits && shipped > 0) {
                return false;
            }
            shipped++;
            if (fileBytes >= 0) {
                entries++;
                // stored size: the file, a little deflate overhead at worst, the cipher's tags when encrypted
                closedBytes += fileBytes + fileBytes / 512 + 1024;
            }
            return true;
        }
    }

    /** Writes rows that still exist; collects the keys whose rows are gone as deletes. Returns rows written. */
    private long writeUpserts(Connection conn, JsonGenerator gen, TableInfo table, List<String> keys, List<JsonNode> deletes,
                              List<String> files, List<Deferred> deferred, PeerRows flagged, Room room, ClaimedKeys claimed)
            throws Exception {
        Optional<String> byKeys = dialect.rowsByKeysSql(table);
        return byKeys.isPresent()
                ? writeUpsertsByKeys(conn, byKeys.get(), gen, table, keys, deletes, files, deferred, flagged, room, claimed)
                : writeUpsertsKeyByKey(conn, gen, table, keys, deletes, files, deferred, flagged, room, claimed);
    }

    /** Reads the rows {@value #KEYS_PER_READ} keys at a time (one statement each), in the keys' order. */
    private long writeUpsertsByKeys(Connection conn, String sql, JsonGenerator gen, TableInfo table, List<String> keys,
                                    List<JsonNode> deletes, List<String> files, List<Deferred> deferred, PeerRows flagged,
                                    Room room, ClaimedKeys claimed) throws Exception {
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
                        if (!include(store, table, () -> MAPPER.readTree(keyJson), files, room,
                                store == null ? null : expectedSize(store, rs, 2, columns))) {
                            deferred.add(claimed.deferred(table.name(), keyJson));
                            continue;
                        }
                        flagPeerRow(rs, 2, owner, table, keyJson, flagged);
                        RowWriter.writeRow(gen, rs, 2, columns);
                        written++;
                    }
                }
            }
        }
        return written;
    }

    private long writeUpsertsKeyByKey(Connection conn, JsonGenerator gen, TableInfo table, List<String> keys,
                                      List<JsonNode> deletes, List<String> files, List<Deferred> deferred, PeerRows flagged,
                                      Room room, ClaimedKeys claimed) throws Exception {
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
                        if (!include(store, table, () -> key, files, room,
                                store == null ? null : expectedSize(store, rs, 1, columns))) {
                            deferred.add(claimed.deferred(table.name(), keyJson));
                            continue;
                        }
                        flagPeerRow(rs, 1, owner, table, keyJson, flagged);
                        RowWriter.writeRow(gen, rs, 1, columns);
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
        return failover.ownerColumn(table).map(o -> {
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
        if (owner >= 0 ? failover.homedOnPeer(rs.getString(first + owner)) : failover.tableHomedOnPeer(table)) {
            flagged.count++;
            flagged.last = table.name() + " " + keyJson;
        }
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
     * Takes the row (and its file, for a content table) into this batch if the file is complete and the batch limits
     * and the cycle's content allowance have room for it; false when it waits for a later batch. A row whose file is
     * missing or smaller than the row records waits (captured again, status names the file): it never travels
     * without its file.
     */
    private boolean include(ContentStore store, TableInfo table, KeyNode key, List<String> files, Room room,
                            Long expectedSize) throws Exception {
        if (store == null) {
            return room.take(-1);
        }
        String relative = store.relativePathOfKey(key.get());
        Path file = store.file(relative);
        String incomplete = ContentStore.incomplete(file, expectedSize);
        if (incomplete != null) {
            contentWaits(table.module(), relative + " (" + incomplete + ", waiting since " + Instant.now() + ")", file);
            return false;
        }
        if (!room.take(Files.size(file))) {
            return false;
        }
        ContentBudget.Decision decision = budget.take(table.module(), Files.size(file), file.toString());
        if (decision == ContentBudget.Decision.WAITS) {
            return false;
        }
        if (decision == ContentBudget.Decision.TRAVELS_ALONE) {
            new ExportState(dataSource).recordOversizedContent(table.module(),
                    relative + " (" + Files.size(file) + " bytes, travelled alone at " + Instant.now() + ")");
        }
        files.add(relative);
        return true;
    }

    /** A row's key, parsed only when a content table needs it for the file's path. */
    private interface KeyNode {
        JsonNode get() throws java.io.IOException;
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
        new ExportState(dataSource).recordContentWaiting(module, what);
        if (what == null) {
            warned.clear();
        }
    }

    /**
     * A changed key that did not fit this batch (its content, this cycle's content allowance, or the batch limits):
     * captured again, with the time of its latest write, so a later batch ships it.
     */
    private record Deferred(String table, String key, java.sql.Timestamp changedAt) {
    }

    private void deferToNextCycle(String module, List<Deferred> deferred) throws SQLException {
        if (deferred.isEmpty()) {
            return;
        }
        new ChangeLog(dataSource).recapture(module, deferred.stream()
                .map(d -> new ChangeLog.Recapture(d.table(), d.key(), d.changedAt())).toList());
        LOG.info("{}: {} row(s) wait for a later batch (the batch limits poolpair.import.max-entries / max-batch-bytes,"
                + " poolpair.max-dataconf-package-size-kb, or a content file not complete yet)", module, deferred.size());
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

    private long writeEntry(BatchZip zip, String table, String entryName, String op, Room room, RowsWriter rows)
            throws Exception {
        BatchZip.RowsEntry entry = zip.rows(entryName, table, op);
        room.current = entry;
        long count = rows.write(entry.gen());
        room.current = null;
        room.closedBytes += entry.close().size();
        return count;
    }

    private record ClaimedKeys(Map<String, List<String>> byTable, long minId, long maxId, long changes,
                               Map<String, Map<String, String>> times, Map<String, java.sql.Timestamp> latest) {

        /** A claimed key deferred to a later batch, with the time of its latest write. */
        Deferred deferred(String table, String key) {
            return new Deferred(table, key, latest.get(table + '\u0000' + key));
        }
    }

    private static ClaimedKeys claimedKeys(Connection conn, String module, long batch, boolean stamped) throws SQLException {
        Map<String, List<String>> byTable = new LinkedHashMap<>();
        Map<String, Map<String, String>> times = new LinkedHashMap<>();
        Map<String, java.sql.Timestamp> latest = new java.util.HashMap<>();
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE, 0};
        ChangeLog.forEachClaimedKey(conn, module, batch, (table, key, minId, maxId, count, at) -> {
            byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(key);
            range[0] = Math.min(range[0], minId);
            range[1] = Math.max(range[1], maxId);
            range[2] += count;
            latest.put(table + '\u0000' + key, at);
            if (stamped) {
                times.computeIfAbsent(table, t -> new LinkedHashMap<>()).put(FailoverSeam.normalKey(key), at.toInstant().toString());
            }
        });
        long min = range[0];
        long max = range[1];
        long changes = range[2];
        if (changes == 0) {
            throw new SQLException("batch " + batch + " of " + module + " has no claimed changes left in pp_change");
        }
        return new ClaimedKeys(byTable, min, max, changes, times, latest);
    }
}
