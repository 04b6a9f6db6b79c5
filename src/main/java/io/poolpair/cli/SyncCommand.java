package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.ExportState;
import io.poolpair.state.SnapshotParts;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.StoreConnection;
import io.poolpair.workflow.SnapshotProgress;
import io.poolpair.workflow.ProgressWait;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Invoke-CsBackupServiceSync: an export cycle now, through the running service's HTTP endpoint when it runs,
 * else in this process; with {@code --wait}, until the peer has acknowledged what the cycle exported.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair sync --config poolA.properties --wait", "  poolpair sync --config poolA.properties --module CentralMgmt.CMSMaster --full --wait --timeout PT30M",
            "  poolpair sync --url https://pool-a-host:8443 --token-file ~/.poolpair/poolA.token --wait"},
        description = "Run an export cycle now (via the running service, else in-process); --wait waits for the peer's"
                + " acknowledgement, then prints the status. Exit code 0 when done, 1 on timeout or when the cycle"
                + " left a module in ExportStatus ErrorState, 2 on bad arguments, 3 when the service runs but cannot be"
                + " reached or refuses (HTTP off, not answering, a standby instance). With --url, the instance at that"
                + " URL on any host runs it (no pool file; the token from --token-file or POOLPAIR_HTTP_TOKEN; a refused"
                + " token exits 2).")
public final class SyncCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ServiceTarget target;

    ConfigOption config;

    @Option(names = "--module", paramLabel = "M|All", defaultValue = "All", description = "Module to sync (default: All).")
    String module;

    @Option(names = "--full", description = "Send a full snapshot of the module's rows owned by this pool; the peer's"
            + " copy of them then equals this pool's exactly.")
    boolean full;

    @Option(names = "--wait", description = "Wait until the peer acknowledges every batch this cycle exported, printing"
            + " progress: rows acknowledged of a full sync's rows (batches for deltas), rate and time left.")
    boolean waitForAck;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "Longest wait with --wait (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    JsonOutput output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (target.remote != null) {
            return RemoteService.of(target.remote, spec.commandLine()).sync(module, full, waitForAck, timeout, output,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        config = target.config();
        PoolConfig pool = config.load();
        try (HikariDataSource ds = StoreConnection.open(pool)) {
            BackupStatus status = new BackupStatus(pool, ds);
            List<String> modules;
            Map<String, Long> ackedAtStart = new LinkedHashMap<>();
            try {
                for (BackupStatus.ModuleStatus m : status.report(module).modules()) {
                    ackedAtStart.put(m.module(), m.lastAcknowledgedBatch());
                }
                modules = List.copyOf(ackedAtStart.keySet());
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return 2;
            }
            boolean reached;
            int code;
            SnapshotProgress snapshots = new SnapshotProgress(new SnapshotParts(ds), ackedAtStart);
            try (PoolCycles cycles = PoolCycles.open(config, pool, module, full, out(),
                    "the service is not running here: running the export cycle in this process", runtime -> {
                        if (full) {
                            for (String m : modules) {
                                new ExportState(ds).requestFullSync(m);
                            }
                        }
                    })) {
                reached = cycles.inProcess().isEmpty();
                if (reached) {
                    out().println("export cycle ran in the running service (" + ServiceRequest.describe(pool) + ")");
                }
                code = waitForAck ? await(status, snapshots, modules) : cycleOutcome(status);
            } catch (RunningService.Unreachable | PoolCycles.ServiceRefused e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return ExitCodes.UNREACHABLE;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("result", code == ExitCodes.OK ? "done" : waitForAck ? "timed-out" : "error-state");
            json.put("exitCode", code);
            json.put("ranIn", reached ? "service" : "this process");
            if (snapshots.seen()) {
                json.put("rowsDone", snapshots.rowsDone());
                json.put("rowsTotal", snapshots.rowsTotal());
            }
            json.put("status", status.report(module));
            output.print(spec.commandLine().getOut(), json);
            return code;
        }
    }

    /** Without --wait: 0 when the cycle left no module of this sync in ExportStatus ErrorState, else 1 naming them. */
    private int cycleOutcome(BackupStatus status) throws Exception {
        int failed = 0;
        for (BackupStatus.ModuleStatus m : status.report(module).modules()) {
            if (m.exportStatus() == BackupStatus.ExportStatus.ErrorState) {
                spec.commandLine().getErr().println("poolpair: " + m.module() + " is in ExportStatus ErrorState: " + m.lastError());
                failed++;
            }
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.UNHEALTHY;
    }

    /** The command's text (nothing with --json). */
    private java.io.PrintWriter out() {
        return output.text(spec.commandLine().getOut());
    }

    /**
     * Waits until every batch numbered so far is acknowledged; an in-process runtime keeps reading cookies meanwhile.
     * A module with a full sync or restore snapshot in flight shows its rows acknowledged ({@link SnapshotProgress}).
     */
    private int await(BackupStatus status, SnapshotProgress snapshots, List<String> modules) throws Exception {
        Map<String, Long> target = new HashMap<>();
        for (String m : modules) {
            target.put(m, status.module(m).lastExportedBatch());
        }
        boolean done = ProgressWait.until(timeout, Duration.ofMillis(500), out(), () -> {
            StringBuilder progress = new StringBuilder();
            SnapshotProgress.Look look = snapshots.look();
            boolean all = true;
            long left = 0;
            long acknowledged = 0;
            for (String m : modules) {
                BackupStatus.ModuleStatus s = status.module(m);
                long acked = s.lastAcknowledgedBatch();
                all &= acked >= target.get(m);
                left += Math.max(0, target.get(m) - acked);
                acknowledged += acked;
                String batches = String.format("batch %d exported, %d acknowledged", s.lastExportedBatch(), acked);
                progress.append(m).append(": ").append(look.module(m, acked).map(r -> r + "; " + batches)
                        .orElse(batches)).append("; ");
            }
            return new ProgressWait.Look(all, progress.toString().trim(), look.note(acknowledged, left));
        });
        if (!done) {
            out().println("timed out after " + timeout + " waiting for the peer's acknowledgement");
        }
        StatusTable.print(status.report(module), out());
        return done ? 0 : 1;
    }
}
