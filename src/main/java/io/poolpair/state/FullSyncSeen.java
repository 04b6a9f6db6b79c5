package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys a full sync (or restore) in progress brought ({@code pp_full_seen}), per source pool, module and sync:
 * every part records its keys in its applying transaction; the last part probes the candidate rows against them,
 * then forgets them. Keys are stored as the batch carries them (a JSON array of the key values).
 */
public final class FullSyncSeen implements AutoCloseable {

    private static final int JDBC_BATCH = 500;

    private final Connection conn;
    private final String source;
    private final String module;
    private final long syncId;
    private final int keysPerProbe;
    private final PreparedStatement insert;
    private PreparedStatement probe;
    private int pending;

    /** {@code keysPerProbe}: keys per probing statement, as the database's dialect prefers. */
    public FullSyncSeen(Connection conn, String source, String module, long syncId, int keysPerProbe) throws SQLException {
        this.conn = conn;
        this.source = source;
        this.module = module;
        this.syncId = syncId;
        this.keysPerProbe = keysPerProbe;
        this.insert = conn.prepareStatement("INSERT INTO pp_full_seen (source_pool, module, sync_id, table_name, pk)"
                + " VALUES (?, ?, ?, ?, ?)");
    }

    /** Records that the snapshot holds {@code key} of {@code table}. */
    public void add(String table, String key) throws SQLException {
        insert.setString(1, source);
        insert.setString(2, module);
        insert.setLong(3, syncId);
        insert.setString(4, table);
        insert.setString(5, key);
        insert.addBatch();
        if (++pending % JDBC_BATCH == 0) {
            insert.executeBatch();
        }
    }

    /** Writes the keys recorded so far; each part does so before it commits. */
    public void flush() throws SQLException {
        insert.executeBatch();
    }

    /** Those of {@code keys} of {@code table} that the snapshot held. */
    public Set<String> seen(String table, List<String> keys) throws SQLException {
        Set<String> seen = new HashSet<>();
        if (keys.isEmpty()) {
            return seen;
        }
        if (probe == null) {
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < keysPerProbe; i++) {
                marks.append(i == 0 ? "?" : ", ?");
            }
            probe = conn.prepareStatement("SELECT pk FROM pp_full_seen WHERE source_pool = ? AND module = ?"
                    + " AND sync_id = ? AND table_name = ? AND pk IN (" + marks + ")");
        }
        for (int from = 0; from < keys.size(); from += keysPerProbe) {
            probe.setString(1, source);
            probe.setString(2, module);
            probe.setLong(3, syncId);
            probe.setString(4, table);
            for (int i = 0; i < keysPerProbe; i++) {
                probe.setString(5 + i, keys.get(Math.min(from + i, keys.size() - 1)));
            }
            try (ResultSet hit = probe.executeQuery()) {
                while (hit.next()) {
                    seen.add(hit.getString(1));
                }
            }
        }
        return seen;
    }

    /** Forgets the keys of this sync and of any older one of the module (the sweep is done). */
    public void forget() throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_full_seen WHERE source_pool = ? AND module = ?"
                + " AND sync_id <= ?")) {
            ps.setString(1, source);
            ps.setString(2, module);
            ps.setLong(3, syncId);
            ps.executeUpdate();
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            insert.close();
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
    }
}
