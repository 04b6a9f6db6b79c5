package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.StoreConnection;
import io.poolpair.workflow.Failback;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Invoke-CsPoolFailback: run on the pool that acted for its peer, once the peer is back. The options and what is
 * printed; the workflow (send everything the peer missed, wait until it applied it all, hand its rows back, verify) is
 * {@link Failback}, its export cycles run by the service or in this process ({@link PoolCycles}).
 */
@Command(name = "failback", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair failback --config poolB.properties --pool poolA", "  poolpair failback --config poolB.properties --pool poolA --timeout PT2H --skip-data-verification"},
        description = "Hand the returned paired pool's users back: send it everything it missed, wait until it applied"
                + " all of it (FinalState), then stop acting for it. Exit code 0 when handed back, 1 on timeout (still"
                + " acting; run it again), 2 on bad arguments, 3 when the service runs but"
                + " cannot be reached or refuses (HTTP off, not answering, a standby instance).")
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
            Failback failback = new Failback(pool, ds);
            if (!failback.acting()) {
                spec.commandLine().getErr().println("poolpair: " + pool.pool() + " is not acting for " + pool.peer()
                        + " (run failover first)");
                return 2;
            }
            if (confirmation.dryRun) {
                BackupStatus.Report before = failback.report();
                out.printf("dry run: %s would send %s everything it missed, wait until %s applied it (FinalState on"
                        + " every module, up to %s), hand %s's rows back, then verify the modules%s. Now:%n", pool.pool(),
                        pool.peer(), pool.peer(), timeout, pool.peer(), skipDataVerification ? " (skipped)" : "");
                StatusTable.print(before, out);
                output.print(spec.commandLine().getOut(), Map.of("dryRun", true, "pool", pool.pool(), "wouldHandBackTo",
                        pool.peer(), "status", before));
                return ExitCodes.OK;
            }
            if (!confirmation.confirmed(pool.pool() + " is about to hand " + pool.peer() + "'s users back.", pool.peer(), out)) {
                spec.commandLine().getErr().println("poolpair: not confirmed: nothing changed");
                return ExitCodes.USAGE;
            }
            failback.start();
            out.printf("%s fails back to %s: sending everything %s missed%n", pool.pool(), pool.peer(), pool.peer());
            out.flush();
            Failback.Outcome outcome;
            try (PoolCycles cycles = PoolCycles.open(config, pool, null, false, out,
                    "the service is not running here: running export cycles in this process", runtime -> { })) {
                outcome = failback.run(cycles, timeout, out, c -> verifyData(out, () -> c.inProcess().isPresent()
                        ? VerifyCommand.inRuntime(c.inProcess().get(), "All", null, false, false, timeout)
                        : VerifyCommand.throughService(pool, "All", null, false, false, timeout).orElseThrow(
                                () -> new IOException("the service stopped answering"))));
            } catch (RunningService.Unreachable | PoolCycles.ServiceRefused e) {
                spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                return ExitCodes.UNREACHABLE;
            }
            BackupStatus.Report report = failback.report();
            if (!outcome.done()) {
                out.printf("timed out after %s: %s has not applied everything yet; %s still acts for it (run failback"
                        + " again)%n", timeout, pool.peer(), pool.pool());
                StatusTable.print(report, out);
                output.print(spec.commandLine().getOut(), withRows(outcome, "result", "timed-out", "exitCode",
                        ExitCodes.UNHEALTHY, "pool", pool.pool(), "actingFor", pool.peer(), "status", report));
                return ExitCodes.UNHEALTHY;
            }
            Instant handedBackAt = outcome.handedBack().orElseThrow().handedBackAt();
            out.printf("%s applied everything; its rows are handed back at %s%n", pool.peer(), handedBackAt);
            StatusTable.print(report, out);
            output.print(spec.commandLine().getOut(), withRows(outcome, "result", "handed-back", "exitCode", ExitCodes.OK,
                    "pool", pool.pool(), "handedBackTo", pool.peer(), "handedBackAt", handedBackAt, "status", report));
            return ExitCodes.OK;
        }
    }

    /** The --json object: {@code pairs} (name, value, …), with rowsDone and rowsTotal when a restore snapshot was waited for. */
    private static Map<String, Object> withRows(Failback.Outcome outcome, Object... pairs) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            json.put((String) pairs[i], pairs[i + 1]);
        }
        outcome.restoreRows().ifPresent(rows -> {
            json.put("rowsDone", rows.done());
            json.put("rowsTotal", rows.total());
        });
        return json;
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
