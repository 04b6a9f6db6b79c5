package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.failover.FailoverNotice;
import io.poolpair.state.FailoverState;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.Dialect;
import io.poolpair.store.SqlScript;
import io.poolpair.store.StoreConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Invoke-CsPoolFailover: run on the surviving pool, which takes over the failed pool's rows. Writes made here
 * to them are captured and queued for the failed pool (as every write is); status says this pool acts for it.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair failover --config poolB.properties --pool poolA   # on poolB, poolA is lost"},
        description = "Take over the failed paired pool's users: this pool acts for --pool until failback. Run on the"
                + " surviving pool; works whether its service runs or not. Exit code 0 when done, 2 on bad arguments.")
public final class FailoverCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    PeerPoolOption failed;

    @Mixin
    JsonOutput output;

    @Mixin
    Confirmation confirmation;

    @Option(names = "--skip-data-verification", description = "Do not compare this pool's copies with"
            + " the failed pool's first (Lync's -SkipDataVerification). Without it, a failed pool that does not answer"
            + " within --verification-timeout is reported and the failover goes on.")
    boolean skipDataVerification;

    @Option(names = "--verification-timeout", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "Longest wait for the failed pool's answer to the data verification (default: ${DEFAULT-VALUE}).")
    Duration verificationTimeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = config.load();
        String mismatch = failed.mismatch(pool);
        if (mismatch != null) {
            spec.commandLine().getErr().println("poolpair: " + mismatch);
            return 2;
        }
        var out = output.text(spec.commandLine().getOut());
        try (HikariDataSource ds = StoreConnection.open(pool)) {
            if (confirmation.dryRun) {
                out.printf("dry run: %s would act for %s from now on: %s's users are served here, writes here to %s's rows"
                        + " are kept and flagged, and a signed notice goes into %s's share at the next export cycle that"
                        + " reaches it (%s is then superseded until failback). Nothing changed.%n", pool.pool(), pool.peer(),
                        pool.peer(), pool.peer(), pool.peer(), pool.peer());
                output.print(spec.commandLine().getOut(), java.util.Map.of("dryRun", true, "pool", pool.pool(),
                        "wouldActFor", pool.peer()));
                return ExitCodes.OK;
            }
            if (!confirmation.confirmed(pool.pool() + " is about to act for " + pool.peer() + ".", pool.peer(), out)) {
                spec.commandLine().getErr().println("poolpair: not confirmed: nothing changed");
                return ExitCodes.USAGE;
            }
            prepareTables(pool, ds);
            verifyData(pool, out);
            FailoverState state = FailoverNotice.failoverState(pool, ds);
            FailoverState.Failover failover = state.begin();
            out.printf("%s acts for %s since %s%n", pool.pool(), pool.peer(), failover.since());
            // the notice goes into the failed pool's share through the service's share endpoint, at its next export
            // cycle that reaches the share: nothing here needs that share, which may be gone with its site
            out.printf("the service writes the notice into %s's share (TaskAssignment/%s.acting-for.json) at its next"
                    + " export cycle that reaches it%n", pool.peer(), pool.pool());
            BackupStatus.Report report = new BackupStatus(pool, ds).report(null);
            StatusTable.print(report, out);
            output.print(spec.commandLine().getOut(), java.util.Map.of("pool", pool.pool(), "actingFor", pool.peer(),
                    "since", failover.since(), "status", report));
        }
        return 0;
    }

    /**
     * Before taking over, the copies of every module are compared with the failed pool's (a planned failover: both
     * answer); a lost pool cannot answer, which is reported, and the failover goes on: it is what the failover is for.
     */
    private void verifyData(PoolConfig pool, PrintWriter out) {
        if (skipDataVerification) {
            out.println("data verification skipped (--skip-data-verification)");
            return;
        }
        VerifyCommand.printDataVerification(out, "data verification of every module against " + pool.peer()
                        + " (a lost pool cannot answer; --skip-data-verification skips this):",
                () -> VerifyCommand.serviceOrInProcess(config, pool, "All", null, false, false, verificationTimeout, out),
                "the copies differ: the failover goes on; once " + pool.peer() + " is back, failback and verify --repair put"
                        + " them right", "the failover goes on");
    }

    /** poolpair's tables, when the service has not run on this store yet. */
    static void prepareTables(PoolConfig pool, HikariDataSource ds) throws Exception {
        try (Connection conn = ds.getConnection()) {
            SqlScript.run(conn, pool.home().resolve("config/sql/" + Dialect.forUrl(pool.datasourceUrl()).sqlFolder()
                    + "/poolpair-tables.sql"));
        }
    }
}
