package io.poolpair.demo;

import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.runtime.PoolPairRuntime;
import java.sql.SQLException;

/** Reads how far one direction of a pair has come, from both pools' real state. */
public final class PairProbe {

    /** One direction of one module: what the source numbered, the target applied, the source saw acknowledged. */
    public record Direction(String module, long pending, long exported, long applied, long acknowledged) {
        public boolean settled() {
            return pending == 0 && exported == applied && applied == acknowledged;
        }
    }

    private PairProbe() {
    }

    public static Direction direction(PoolPairRuntime source, PoolPairRuntime target, String module) throws SQLException {
        ExportState.Snapshot export = new ExportState(source.store().dataSource()).get(module);
        ImportState.Snapshot imported = new ImportState(target.store().dataSource(), source.config().pool()).get(module);
        return new Direction(module, pendingChanges(source, module), export.lastBatch(), imported.lastApplied(),
                export.ackedBatch());
    }

    public static long pendingChanges(PoolPairRuntime pool, String module) throws SQLException {
        return new ChangeLog(pool.store().dataSource()).pending(module);
    }

    /** True when every module is settled in both directions. */
    public static boolean settled(PoolPairRuntime a, PoolPairRuntime b) throws SQLException {
        for (String module : a.config().modules().stream().map(m -> m.name()).toList()) {
            if (!direction(a, b, module).settled() || !direction(b, a, module).settled()) {
                return false;
            }
        }
        return true;
    }
}
