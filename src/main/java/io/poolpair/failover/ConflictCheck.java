package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.poolpair.batch.Manifest;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.Conflicts;
import io.poolpair.state.FailoverKeys;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.ValueCodec;
import io.poolpair.store.TableInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conflict policy: a key written on both pools before either saw the other's write keeps its newest write. For
 * each incoming row, the time the peer captured its change (stamped per key in every delta batch; the batch's
 * creation time when an older peer did not stamp it) is compared with this pool's own unacknowledged change of
 * the key ({@code pp_change}, claimed into a batch or not) and, while a failover is in effect, its writes since
 * the failover ({@code pp_failover_key}, which outlives the purge of acknowledged changes). The newer write is
 * kept (on equal times, the write of the pool whose name sorts first; equal times and equal rows are the same
 * write, no conflict). Each conflict is recorded in {@code pp_conflict} in the applying transaction. Both
 * pools decide alike, so their copies converge.
 *
 * <p>When the peer's write wins over a change of this pool already staged in a batch (immutable, and on its way
 * to the peer with the older value), the key is captured again with the winning write's time: the next batch
 * carries the winner back, so the peer ends with it even if it already forgot its own change (acknowledged and
 * purged) when the older batch arrives.
 *
 * <p>Only the keys the batch carries are looked up: this pool's changes are streamed and the others dropped, so
 * memory grows with the batch (bounded by max-changes-per-batch), not with the backlog or the failover.
 */
public final class ConflictCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ConflictCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** This pool's latest write of a key: when, its key as captured, and whether it is staged in a batch. */
    private record Local(Instant at, String capturedKey, boolean staged) {
        Local newest(Local other) {
            Local newer = other.at.isAfter(at) ? other : this;
            String captured = capturedKey != null ? capturedKey : other.capturedKey;
            return new Local(newer.at, captured, staged || other.staged);
        }
    }

    private final Connection conn;
    private final Dialect dialect;
    private final String module;
    private final String pool;
    private final String peer;
    private final Instant batchCreatedAt;
    private final Map<String, Map<String, String>> peerTimes;
    private final Map<String, Local> localTimes = new HashMap<>();
    private final List<Conflicts.Conflict> found = new ArrayList<>();

    /**
     * @param since when the failover in effect here began (this pool's keys written since then count); empty
     *     when none is in effect here, so only its unacknowledged changes count
     */
    public ConflictCheck(Connection conn, Dialect dialect, Manifest manifest, String pool, String peer,
                         Optional<Instant> since) throws SQLException {
        this.conn = conn;
        this.dialect = dialect;
        this.module = manifest.module();
        this.pool = pool;
        this.peer = peer;
        this.batchCreatedAt = Instant.parse(manifest.createdAt());
        this.peerTimes = manifest.keyTimes();
        if (since.isPresent()) {
            FailoverKeys.forEachSince(conn, module, since.get(), (table, key, at) -> keep(table, key, at, false, false));
        }
        ChangeLog.forEachChange(conn, module, (table, key, at, claimed) -> keep(table, key, at, claimed, true));
    }

    /** True when any key could conflict: this pool has unacknowledged changes of the module, or a failover. */
    public static boolean needed(Connection conn, String module, Optional<Instant> since) throws SQLException {
        if (since.isPresent()) {
            return true;
        }
        return ChangeLog.any(conn, module);
    }

    /** Keeps a write of this pool's if the batch carries its key (all of them when it names none). */
    private void keep(String table, String capturedKey, Timestamp at, boolean staged, boolean captured) {
        String key = KeyTimes.normalize(capturedKey);
        if (peerTimes != null && !peerTimes.getOrDefault(table, Map.of()).containsKey(key)) {
            return;
        }
        Local local = new Local(at.toInstant(), captured ? capturedKey : null, staged);
        localTimes.merge(table + '\u0000' + key, local, Local::newest);
    }

    /**
     * True when the incoming row is applied; false when this pool's newer write of the key is kept instead.
     * {@code upsert}: the row is an upsert (else a delete, holding the key columns only).
     */
    public boolean incomingWins(TableInfo table, JsonNode row, boolean upsert) throws SQLException {
        String key = keyOf(table, row);
        Local local = localTimes.get(table.name() + '\u0000' + key);
        if (local == null) {
            return true;
        }
        Instant localAt = local.at();
        String stamped = peerTimes == null ? null : peerTimes.getOrDefault(table.name(), Map.of()).get(key);
        Instant peerAt = stamped == null ? batchCreatedAt : Instant.parse(stamped);
        if (localAt.equals(peerAt) && sameAsLocal(table, row, upsert)) {
            return true; // the same write on both pools (a winner sent back, see above): nothing to resolve
        }
        boolean localWins = localAt.isAfter(peerAt) || (localAt.equals(peerAt) && pool.compareTo(peer) < 0);
        Conflicts.Conflict conflict = new Conflicts.Conflict(module, table.name(), key, localAt, peerAt,
                localWins ? pool : peer, Instant.now());
        found.add(conflict);
        Conflicts.record(conn, conflict);
        if (!localWins && local.staged() && local.capturedKey() != null) {
            // this pool's older write is staged and travels to the peer: send the winner after it
            ChangeLog.recapture(conn, module, table.name(), local.capturedKey(), Timestamp.from(peerAt));
            localTimes.put(table.name() + '\u0000' + key, new Local(peerAt, local.capturedKey(), false));
        }
        return !localWins;
    }

    /** True when this pool's row of the key equals the incoming one (for a delete: when this pool has no row). */
    private boolean sameAsLocal(TableInfo table, JsonNode row, boolean upsert) throws SQLException {
        List<Column> columns = table.columns();
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + dialect.columnList(columns) + " FROM "
                + dialect.qualified(table) + " WHERE " + dialect.keyCondition(table))) {
            for (int i = 0; i < table.primaryKey().size(); i++) {
                Column c = table.primaryKey().get(i);
                dialect.bind(ps, i + 1, ValueCodec.field(row, c.name()), c);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return !upsert;
                }
                if (!upsert) {
                    return false;
                }
                TokenBuffer buffer = new TokenBuffer(JSON, false);
                buffer.writeStartObject();
                for (int i = 0; i < columns.size(); i++) {
                    buffer.writeFieldName(columns.get(i).name());
                    ValueCodec.write(buffer, rs, i + 1, columns.get(i));
                }
                buffer.writeEndObject();
                JsonNode localRow = JSON.readTree(buffer.asParser());
                for (var it = row.fields(); it.hasNext(); ) {
                    var field = it.next();
                    JsonNode mine = ValueCodec.field(localRow, field.getKey());
                    if (mine == null || !mine.toString().equals(field.getValue().toString())) {
                        return false;
                    }
                }
                return true;
            }
        } catch (IllegalArgumentException | IOException e) {
            return false; // a value this store cannot compare: treated as different
        }
    }

    /** The conflicts found in this batch, for the log once it commits. */
    public List<Conflicts.Conflict> found() {
        return found;
    }

    public void logFound(long batch) {
        if (!found.isEmpty()) {
            LOG.warn("conflict: {} key(s) of {} were written on both {} and {}; newest write kept (batch {}): {}",
                    found.size(), module, pool, peer, batch, found.stream().map(c -> c.table() + " "
                    + c.key() + " kept " + c.kept()).toList());
        }
    }

    /** The key of a row as a compact JSON array of its key values, in key order. */
    public static String keyOf(TableInfo table, JsonNode row) {
        ArrayNode key = JSON.createArrayNode();
        for (Column column : table.primaryKey()) {
            JsonNode value = null;
            for (var it = row.fields(); it.hasNext(); ) {
                var field = it.next();
                if (field.getKey().equalsIgnoreCase(column.name())) {
                    value = field.getValue();
                    break;
                }
            }
            key.add(value);
        }
        try {
            return JSON.writeValueAsString(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
