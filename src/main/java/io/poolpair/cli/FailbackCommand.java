package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.ExportState;
import io.poolpair.failover.FailoverNotice;
import io.poolpair.state.FailoverState;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.StoreConnection;
import io.poolpair.verify.VerifyReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Invoke-CsPoolFailback: run on the pool that acted for its peer, once the peer is back. It sends the peer
 * everything it missed, waits until the peer has applied and acknowledged all of it (ExportStatus FinalState in
 * every module), then hands the peer's rows back: later writes to them on this pool are flagged in status.
 */
@Command(name = "failback", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair failback --config poolB.properties --pool poolA", "  poolpair failback --config poolB.properties --pool poolA --timeout PT2H --skip-data-verification"},
        description = "Hand the returned paired pool's users back: send it everything it missed, wait until it applied"
                + " all of it (FinalState), then stop acting for it. Exit code 0 when handed back, 1 on timeout (still"
                + " acting; run it again), 2 on bad arguments, 3 when the service runs but"
                + " cannot be reached.")
public final class FailbackCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    PeerPoolOption returning;

    @Option(names = "--timeout", defaultValue = "PT30M", paramLabel = "DURATION",
            description = "Longest wait for the peer to apply everything (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--skip-data-verification", description = "Do not verify the pools' copies once the rows are handed"
            + " back (Lync's -SkipDataVerification); run poolpair verify later.")
    boolean skipDataVerification;

    @Mixin
    JsonOutput output;

    @Mixin
    Confirmation confirmation;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = config.load();
        String mismatch = returning.mismatch(pool);
        if (mismatch != null) {
            spec.commandLine().getErr().println("poolpair: " + mismatch);
            return 2;
        }
        PrintWriter out = output.text(spec.commandLine().getOut());
        try (HikariDataSource ds = StoreConnection.open(pool)) {
            FailoverCommand.prepareTables(pool, ds);
            FailoverState state = FailoverNotice.failoverState(pool, ds);
            if (state.ofPeer().filter(FailoverState.Failover::inEffect).isEmpty()) {
                spec.commandLine().getErr().println("poolpair: " + pool.pool() + " is not acting for " + pool.peer()
                        + " (run failover first)");
                return 2;
            }
            BackupStatus before = new BackupStatus(pool, ds);
            if (confirmation.dryRun) {
                out.printf("dry run: %s would send %s everything it missed, wait until %s applied it (FinalState on"
                        + " every module, up to %s), hand %s's rows back, then verify the modules%s. Now:%n", pool.pool(),
                        pool.peer(), pool.peer(), timeout, pool.peer(), skipDataVerification ? " (skipped)" : "");
                StatusTable.print(before.report(null), out);
                output.print(spec.commandLine().getOut(), Map.of("dryRun", true, "pool", pool.pool(), "wouldHandBackTo",
                        pool.peer(), "status", before.report(null)));
                return ExitCodes.OK;
            }
            if (!confirmation.confirmed(pool.pool() + " is about to hand " + pool.peer() + "'s users back.", pool.peer(), out)) {
                spec.commandLine().getErr().println("poolpair: not confirmed: nothing changed");
                return ExitCodes.USAGE;
            }
            state.startFailback();
            out.printf("%s fails back to %s: sending everything %s missed%n", pool.pool(), pool.peer(), pool.peer());
            out.flush();
            BackupStatus status = new BackupStatus(pool, ds);
            boolean done;
            FailoverState.Failover handedBack = null;
            boolean serviceRuns;
            try {
                serviceRuns = RunningService.reach(pool, () -> serviceAnswers(pool), out);
            } catch (RunningService.Unreachable e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return 3;
            }
            if (serviceRuns) {
                done = await(status, ds, pool, null, state);
                if (done) {
                    handedBack = state.handBack();
                    try {
                        syncThroughService(pool); // writes the handed-back notice into the peer's share
                    } catch (IOException e) {
                        out.printf("the service writes the handed-back notice at its next export cycle (%s)%n", e.getMessage());
                    }
                    verifyData(out, () -> VerifyCommand.throughService(pool, "All", null, false, false, timeout).orElseThrow(
                            () -> new IOException("the service stopped answering")));
                }
            } else {
                out.println("the service is not running here: running export cycles in this process");
                try (PoolPairRuntime runtime = PoolPairRuntime.create(config.load(Map.of("poolpair.export.on-schedule", "false",
                        "poolpair.http.enabled", "false", "poolpair.cluster.enabled", "false"))).start()) {
                    done = await(status, ds, pool, runtime, state);
                    if (done) {
                        handedBack = state.handBack();
                        runtime.syncNow();
                        verifyData(out, () -> VerifyCommand.inRuntime(runtime, "All", null, false, false, timeout));
                    }
                }
            }
            if (!done) {
                out.printf("timed out after %s: %s has not applied everything yet; %s still acts for it (run failback"
                        + " again)%n", timeout, pool.peer(), pool.pool());
                StatusTable.print(status.report(null), out);
                output.print(spec.commandLine().getOut(), Map.of("result", "timed-out", "exitCode", ExitCodes.UNHEALTHY,
                        "pool", pool.pool(), "actingFor", pool.peer(), "status", status.report(null)));
                return ExitCodes.UNHEALTHY;
            }
            out.printf("%s applied everything; its rows are handed back at %s%n", pool.peer(), handedBack.handedBackAt());
            StatusTable.print(status.report(null), out);
            output.print(spec.commandLine().getOut(), Map.of("result", "handed-back", "exitCode", ExitCodes.OK, "pool", pool.pool(),
                    "handedBackTo", pool.peer(), "handedBackAt", handedBack.handedBackAt(),
                    "status", status.report(null)));
            return ExitCodes.OK;
        }
    }

    /** Runs export cycles until every module is FinalState (all sent, all acknowledged), or the timeout. */
    /**
     * FinalState: everything sent and acknowledged (a module that never had anything to send, NotInitialized
     * with no batch and no full sync due, owes nothing either).
     */
    private static boolean nothingOwed(BackupStatus.ModuleStatus status, ExportState.Snapshot export) {
        return status.exportStatus() == BackupStatus.ExportStatus.FinalState
                || (status.exportStatus() == BackupStatus.ExportStatus.NotInitialized && status.pendingChanges() == 0
                && export.lastBatch() == 0 && !export.fullSyncRequested() && export.initialSyncBatch() == 0);
    }

    /**
     * Runs export cycles until the peer has spoken since the failback began (its cookie, so this pool knows the
     * incarnation it came back as: a rebuilt one is owed a restore snapshot) and every module owes it nothing: no
     * restore still to stage, everything sent and acknowledged. Or the timeout.
     */
    private boolean await(BackupStatus status, javax.sql.DataSource dataSource, PoolConfig pool, PoolPairRuntime runtime,
                          FailoverState failover) throws Exception {
        Instant failbackStarted = failover.ofPeer().map(FailoverState.Failover::failbackStartedAt).orElse(Instant.now());
        PrintWriter out = output.text(spec.commandLine().getOut());
        ExportState exportState = new ExportState(dataSource);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        long nextCycle = 0;
        while (System.nanoTime() < deadline) {
            boolean finalState = true;
            boolean heard = false;
            StringBuilder progress = new StringBuilder();
            for (BackupStatus.ModuleStatus m : status.report(null).modules()) {
                ExportState.Snapshot export = exportState.get(m.module());
                heard |= export.peerHeardAt() != null && export.peerHeardAt().isAfter(failbackStarted);
                finalState &= !export.restoreRequested() && nothingOwed(m, export);
                progress.append(String.format("%s: %s, %d pending, batch %d exported, %d acknowledged%s; ", m.module(),
                        m.exportStatus(), m.pendingChanges(), m.lastExportedBatch(), m.lastAcknowledgedBatch(),
                        export.restoreRequested() ? ", restore snapshot to stage" : ""));
            }
            if (!heard) {
                progress.append("waiting for a cookie from " + pool.peer() + " (its incarnation)");
            }
            finalState &= heard;
            if (!progress.toString().equals(last)) {
                out.println("  " + progress.toString().trim());
                out.flush();
                last = progress.toString();
            }
            if (finalState) {
                return true;
            }
            if (System.nanoTime() >= nextCycle) {
                if (runtime != null) {
                    runtime.syncNow();
                } else {
                    syncThroughService(pool);
                }
                nextCycle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Asks the service for an export cycle; false when nothing listens. */
    private static boolean serviceAnswers(PoolConfig pool) throws InterruptedException {
        try {
            syncThroughService(pool);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true; // it answers (a standby instance, or a cycle that failed): the wait shows the state
        }
    }

    private static void syncThroughService(PoolConfig pool) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> response = client.send(ServiceRequest.post(pool, "/poolpair/sync"),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the service answered " + response.statusCode() + ": " + response.body().strip());
        }
    }

    /**
     * The data verification of a failback (unless skipped): both pools' copies compared once the rows are handed back.
     * Its result is printed; a difference or a peer that does not answer does not undo the failback.
     */
    private void verifyData(PrintWriter out, VerifyCommand.Verification verification) {
        if (skipDataVerification) {
            out.println("data verification skipped (--skip-data-verification): run poolpair verify to compare the copies");
            return;
        }
        VerifyCommand.printDataVerification(out, "data verification of every module (--skip-data-verification skips it):",
                verification, "the copies differ: poolpair verify --repair on the owning pool puts the differing rows right",
                "run poolpair verify once both services run");
    }
}
