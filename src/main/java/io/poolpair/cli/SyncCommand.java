package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.ExportState;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.StoreConnection;
import io.poolpair.workflow.ProgressRate;
import io.poolpair.workflow.ProgressWait;
import java.time.Duration;
import java.util.HashMap;
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

    @Option(names = "--wait", description = "Wait until the peer acknowledges every batch this cycle exported.")
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
            try {
                modules = status.report(module).modules().stream().map(BackupStatus.ModuleStatus::module).toList();
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return 2;
            }
            boolean reached;
            int code;
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
                code = waitForAck ? await(status, modules) : cycleOutcome(status);
            } catch (RunningService.Unreachable | PoolCycles.ServiceRefused e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return ExitCodes.UNREACHABLE;
            }
            output.print(spec.commandLine().getOut(), Map.of("result", code == ExitCodes.OK ? "done"
                    : waitForAck ? "timed-out" : "error-state", "exitCode", code,
                    "ranIn", reached ? "service" : "this process", "status", status.report(module)));
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

    /** Waits until every batch numbered so far is acknowledged; an in-process runtime keeps reading cookies meanwhile. */
    private int await(BackupStatus status, List<String> modules) throws Exception {
        Map<String, Long> target = new HashMap<>();
        for (String m : modules) {
            target.put(m, status.module(m).lastExportedBatch());
        }
        ProgressRate rate = new ProgressRate("batches"); // a full sync: one batch a part
        boolean done = ProgressWait.until(timeout, Duration.ofMillis(500), out(), () -> {
            StringBuilder progress = new StringBuilder();
            boolean all = true;
            long left = 0;
            long acknowledged = 0;
            for (String m : modules) {
                BackupStatus.ModuleStatus s = status.module(m);
                all &= s.lastAcknowledgedBatch() >= target.get(m);
                left += Math.max(0, target.get(m) - s.lastAcknowledgedBatch());
                acknowledged += s.lastAcknowledgedBatch();
                progress.append(String.format("%s: batch %d exported, %d acknowledged; ", m, s.lastExportedBatch(),
                        s.lastAcknowledgedBatch()));
            }
            String eta = rate.note(acknowledged, left);
            return new ProgressWait.Look(all, progress.toString().trim(), eta);
        });
        if (!done) {
            out().println("timed out after " + timeout + " waiting for the peer's acknowledgement");
        }
        StatusTable.print(status.report(module), out());
        return done ? 0 : 1;
    }
}
