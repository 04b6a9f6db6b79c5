package io.poolpair.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.store.TableInfo;
import io.poolpair.state.ChangeLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The keys of a module with a captured change not yet acknowledged by the peer ({@code pp_change}): on a pool
 * that was rebuilt or restored, the rows its users changed again since it restarted. A restore snapshot does not
 * overwrite or sweep them; their change reaches the peer as a delta. Batch numbers cannot tell which of them the
 * restore already holds (a store restored from a backup numbered them again), so all are kept: where the restore
 * holds one, it holds the same write. The peer reports no more of this pool's batches than its restore holds until
 * the restore is acknowledged, so none of them is purged before it arrives. Few by nature, so held in memory.
 */
final class PendingKeys {

    private final Set<String> keys;

    private PendingKeys(Set<String> keys) {
        this.keys = keys;
    }

    static PendingKeys load(Connection conn, String module) throws SQLException {
        Set<String> keys = new HashSet<>();
        ChangeLog.forEachPendingKey(conn, module, (table, key) -> keys.add(table + '\u0000' + FailoverSeam.normalKey(key)));
        return new PendingKeys(keys);
    }

    boolean contains(TableInfo table, JsonNode row) {
        return keys.contains(table.name() + '\u0000' + FailoverSeam.keyOf(table, row));
    }

    /** {@code key}: the compact JSON array of the key values. */
    boolean contains(String table, String key) {
        return keys.contains(table + '\u0000' + FailoverSeam.normalKey(key));
    }
}
