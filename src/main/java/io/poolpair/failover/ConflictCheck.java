package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.poolpair.batch.Manifest;
import io.poolpair.store.Column;
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
 * Split-brain policy while a failover is in effect: a key written on both pools keeps its newest write. For
 * each incoming row, the time the peer wrote it (from the manifest; the batch's creation time when the peer
 * did not stamp it) is compared with this pool's latest write of the key since the failover (kept in
 * {@code pp_failover_key}, or still unclaimed in {@code pp_change}). The newer write is kept (on equal times,
 * the write of the pool whose name sorts first), and the conflict is recorded in {@code pp_conflict} in the
 * applying transaction. Both pools decide alike, so their copies converge.
 */
public final class ConflictCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ConflictCheck.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One key written on both pools. */
    public record Conflict(String module, String table, String key, Instant localAt, Instant peerAt, String kept,
                           Instant detectedAt) {
    }

    private final Connection conn;
    private final String module;
    private final String pool;
    private final String peer;
    private final Instant batchCreatedAt;
    private final Map<String, Map<String, String>> peerTimes;
    private final Map<String, Instant> localTimes = new HashMap<>();
    private final List<Conflict> found = new ArrayList<>();

    /**
     * @param since when the failover in effect here began (this pool's keys written since then count); empty
     *     when none is in effect here, so only its not yet exported writes count
     */
    public ConflictCheck(Connection conn, Manifest manifest, String pool, String peer, Optional<Instant> since)
            throws SQLException {
        this.conn = conn;
        this.module = manifest.module();
        this.pool = pool;
        this.peer = peer;
        this.batchCreatedAt = Instant.parse(manifest.createdAt());
        this.peerTimes = manifest.keyTimes() == null ? Map.of() : manifest.keyTimes();
        if (since.isPresent()) {
            load("SELECT table_name, pk, changed_at FROM pp_failover_key WHERE module = ? AND changed_at >= ?", since.get());
        }
        load("SELECT table_name, pk, MAX(changed_at) FROM pp_change WHERE module = ? AND batch IS NULL GROUP BY table_name, pk",
                null);
    }

    private void load(String sql, Instant since) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, module);
            if (since != null) {
                ps.setTimestamp(2, Timestamp.from(since));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant at = rs.getTimestamp(3).toInstant();
                    localTimes.merge(rs.getString(1) + '\u0000' + KeyTimes.normalize(rs.getString(2)), at,
                            (x, y) -> x.isAfter(y) ? x : y);
                }
            }
        }
    }

    /** True when the incoming row is applied; false when this pool's newer write of the key is kept instead. */
    public boolean incomingWins(TableInfo table, JsonNode row) throws SQLException {
        String key = keyOf(table, row);
        Instant localAt = localTimes.get(table.name() + '\u0000' + key);
        if (localAt == null) {
            return true;
        }
        String stamped = peerTimes.getOrDefault(table.name(), Map.of()).get(key);
        Instant peerAt = stamped == null ? batchCreatedAt : Instant.parse(stamped);
        boolean localWins = localAt.isAfter(peerAt) || (localAt.equals(peerAt) && pool.compareTo(peer) < 0);
        Conflict conflict = new Conflict(module, table.name(), key, localAt, peerAt, localWins ? pool : peer, Instant.now());
        found.add(conflict);
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_conflict (module, table_name, pk, local_at, peer_at,"
                + " kept, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, module);
            ps.setString(2, table.name());
            ps.setString(3, key);
            ps.setTimestamp(4, Timestamp.from(localAt));
            ps.setTimestamp(5, Timestamp.from(peerAt));
            ps.setString(6, conflict.kept());
            ps.setTimestamp(7, Timestamp.from(conflict.detectedAt()));
            ps.executeUpdate();
        }
        return !localWins;
    }

    /** The conflicts found in this batch, for the log once it commits. */
    public List<Conflict> found() {
        return found;
    }

    public void logFound(long batch) {
        if (!found.isEmpty()) {
            LOG.error("split brain: {} key(s) of {} were written on both {} and {} during the failover; newest write kept"
                    + " (batch {}): {}", found.size(), module, pool, peer, batch, found.stream().map(c -> c.table() + " "
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

    /** Every conflict recorded on this pool, newest first. */
    public static List<Conflict> recorded(Connection conn, int limit) throws SQLException {
        List<Conflict> conflicts = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT module, table_name, pk, local_at, peer_at, kept, detected_at"
                + " FROM pp_conflict ORDER BY id DESC")) {
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    conflicts.add(new Conflict(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getTimestamp(5).toInstant(), rs.getString(6), rs.getTimestamp(7).toInstant()));
                }
            }
        }
        return conflicts;
    }
}
