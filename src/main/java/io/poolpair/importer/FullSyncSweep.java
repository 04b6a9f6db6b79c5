package io.poolpair.importer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.poolpair.state.FullSyncSeen;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The receiving side of a full sync. Every part records the keys it brought ({@link FullSyncSeen}); the last
 * part deletes this pool's copies of the sender's rows that the snapshot did not hold (rows deleted on the
 * sender while change history was lost), then forgets the keys. Rows owned by this pool are never touched by a
 * full sync; a restore (which carries every row the sender holds) sweeps the whole copy except the exempt keys.
 * The sweep streams: it holds one chunk of candidate keys at a time, whatever the size of the store. The keys of
 * rows it deletes from a content table are kept until the commit, to remove their files.
 */
final class FullSyncSweep implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Candidate keys probed against {@code pp_full_seen} per chunk. */
    private static final int PROBE = 500;

    private final Connection conn;
    private final Dialect dialect;
    private final String source;
    private final String module;
    private final long syncId;
    private final FullSyncSeen seen;
    private final PendingKeys exempt;
    private final java.util.Map<String, List<JsonNode>> deletedKeys = new java.util.HashMap<>();
    private final Optional<String> contentTable;

    /** {@code exempt}: keys never deleted by the sweep (a restore's pending keys), or null. */
    FullSyncSweep(Connection conn, Dialect dialect, String source, String module, long syncId, PendingKeys exempt,
                  Optional<String> contentTable) throws SQLException {
        this.contentTable = contentTable;
        this.exempt = exempt;
        this.conn = conn;
        this.dialect = dialect;
        this.source = source;
        this.module = module;
        this.syncId = syncId;
        this.seen = new FullSyncSeen(conn, source, module, syncId, dialect.keysPerProbe());
    }

    /** Records that the snapshot holds this row's key. */
    void seen(TableInfo table, JsonNode row) throws SQLException {
        ArrayNode key = MAPPER.createArrayNode();
        for (Column c : table.primaryKey()) {
            key.add(ValueCodec.field(row, c.name()));
        }
        seen.add(table.name(), key.toString());
    }

    /** Writes the keys recorded so far; each part does so before it commits. */
    void flush() throws SQLException {
        seen.flush();
    }

    /**
     * Deletes the sender's rows the snapshot did not hold, children first; returns how many. Each table's candidate
     * keys are streamed and probed against {@code pp_full_seen} {@value #PROBE} at a time, the stale ones of each
     * chunk deleted at once: memory holds one chunk, not every stale key of the store.
     */
    long deleteUnseen(List<TableInfo> tablesInApplyOrder, Optional<String> ownerColumn) throws SQLException {
        flush();
        long deleted = 0;
        List<TableInfo> reversed = new ArrayList<>(tablesInApplyOrder);
        java.util.Collections.reverse(reversed);
        for (TableInfo table : reversed) {
            deleted += deleteUnseen(table, ownerColumn.flatMap(table::column));
        }
        seen.forget();
        return deleted;
    }

    private long deleteUnseen(TableInfo table, Optional<Column> owner) throws SQLException {
        long deleted = 0;
        String sql = "SELECT " + dialect.columnList(table.primaryKey()) + " FROM " + dialect.qualified(table)
                + owner.map(o -> " WHERE " + dialect.quote(o.name()) + " = ?").orElse("");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setFetchSize(PROBE);
            if (owner.isPresent()) {
                ps.setString(1, source);
            }
            try (ResultSet rs = ps.executeQuery()) {
                // the exempt keys are read again after the candidates: a row committed before the candidates were
                // read has its captured change committed with it, so it is seen here and kept
                PendingKeys keep = exempt == null ? null : PendingKeys.load(conn, module);
                List<String> chunk = new ArrayList<>(PROBE);
                while (rs.next()) {
                    chunk.add(key(rs, table.primaryKey()));
                    if (chunk.size() == PROBE) {
                        deleted += delete(table, unseen(table, chunk, keep));
                        chunk.clear();
                    }
                }
                deleted += delete(table, unseen(table, chunk, keep));
            }
        }
        return deleted;
    }

    /** The keys of {@code chunk} the snapshot did not hold and no exemption keeps. */
    private List<String> unseen(TableInfo table, List<String> chunk, PendingKeys keep) throws SQLException {
        if (chunk.isEmpty()) {
            return List.of();
        }
        java.util.Set<String> seenKeys = seen.seen(table.name(), chunk);
        List<String> stale = new ArrayList<>();
        for (String key : chunk) {
            if (!seenKeys.contains(key) && (keep == null || (!keep.contains(table.name(), key)
                    && !exempt.contains(table.name(), key)))) {
                stale.add(key);
            }
        }
        return stale;
    }

    /** The keys (column name → value) of the rows {@link #deleteUnseen} removed from the content table. */
    List<JsonNode> deleted(String table) {
        return deletedKeys.getOrDefault(table, List.of());
    }

    private long delete(TableInfo table, List<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return 0;
        }
        // only a content table's keys are kept (their files go after the commit)
        List<JsonNode> removed = contentTable.filter(table.name()::equals).isPresent()
                ? deletedKeys.computeIfAbsent(table.name(), t -> new ArrayList<>()) : new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + dialect.qualified(table) + " WHERE "
                + dialect.keyCondition(table))) {
            for (String key : keys) {
                JsonNode values = MAPPER.readTree(key);
                com.fasterxml.jackson.databind.node.ObjectNode keyObject = MAPPER.createObjectNode();
                for (int i = 0; i < table.primaryKey().size(); i++) {
                    dialect.bind(ps, i + 1, values.get(i), table.primaryKey().get(i));
                    keyObject.set(table.primaryKey().get(i).name(), values.get(i));
                }
                removed.add(keyObject);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys.size();
    }

    private static String key(ResultSet rs, List<Column> pk) throws SQLException {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = MAPPER.createGenerator(out)) {
            gen.writeStartArray();
            for (int i = 0; i < pk.size(); i++) {
                ValueCodec.write(gen, rs, i + 1, pk.get(i));
            }
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public void close() throws SQLException {
        seen.close();
    }
}
