package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.Dialect;
import io.poolpair.store.StoreConnection;
import java.io.Console;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Removes poolpair from a pool's database: its capture triggers and functions and its {@code pp_*} tables (change
 * log, batch counters, import log, failover and status history). The application's tables and rows stay. The pool's
 * peer keeps its copy; pairing again later starts with a new store incarnation and an initial full sync.
 */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Drop poolpair's triggers, functions and pp_* tables from this pool's database (the application's"
                + " tables and rows stay), after a confirmation: type the pool's name, or give --yes.",
        footer = {"%nExamples:",
            "  poolpair uninstall --config /etc/poolpair/poolA.properties --dry-run",
            "  poolpair uninstall --config /etc/poolpair/poolA.properties --yes"})
public final class UninstallCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--yes", description = "Do not ask for a confirmation.")
    boolean yes;

    @Option(names = "--dry-run", description = "Print the statements that would run, and change nothing.")
    boolean dryRun;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = config.load();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!dryRun && PoolPairRuntime.runsHere(pool)) {
            err.println("poolpair: a poolpair process runs for pool " + pool.pool() + ": stop it first (its triggers would"
                    + " be dropped under it)");
            return ExitCodes.USAGE;
        }
        Dialect dialect = Dialect.forUrl(pool.datasourceUrl());
        try (HikariDataSource ds = StoreConnection.open(pool); Connection conn = ds.getConnection()) {
            List<String> statements = dialect.uninstallStatements(conn);
            if (statements.isEmpty()) {
                out.println("poolpair is not installed in " + pool.datasourceUrl() + ": nothing to drop");
                return ExitCodes.OK;
            }
            statements.forEach(s -> out.println("  " + s + ";"));
            if (dryRun) {
                out.println("dry run: " + statements.size() + " statements, nothing changed");
                return ExitCodes.OK;
            }
            if (!yes && !confirmed(pool, out)) {
                err.println("poolpair: not confirmed: nothing dropped (give --yes when no terminal can answer)");
                return ExitCodes.USAGE;
            }
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                for (String statement : statements) {
                    st.execute(statement);
                }
                conn.commit();
            } catch (Exception e) {
                conn.rollback();
                throw e;
            }
            out.println("dropped poolpair's " + statements.size() + " triggers, functions and tables from " + pool.pool()
                    + "'s database; the application's tables are untouched");
            return ExitCodes.OK;
        }
    }

    private static boolean confirmed(PoolConfig pool, PrintWriter out) {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        out.flush();
        String answer = console.readLine("Type %s to drop poolpair's state from its database: ", pool.pool());
        return pool.pool().equals(answer == null ? null : answer.strip());
    }
}
