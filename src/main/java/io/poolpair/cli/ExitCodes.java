package io.poolpair.cli;

import io.poolpair.config.ConfigException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import picocli.CommandLine;

/**
 * What every command's exit code means, one thing each (listed in {@code --help} and docs/operations.md).
 */
final class ExitCodes {

    /** Done, or healthy. */
    static final int OK = 0;
    /** Unhealthy (a module not in FinalState/SteadyState and NormalState), or a wait timed out. */
    static final int UNHEALTHY = 1;
    /** Bad arguments or configuration: the message names the setting; running it again does not help. */
    static final int USAGE = 2;
    /** The database, the share or the running service cannot be reached. */
    static final int UNREACHABLE = 3;
    /** A poolpair defect or an unexpected state: the message and the log say more. */
    static final int INTERNAL = 4;

    static final String HELP = "%nExit codes: 0 done or healthy, 1 unhealthy or timed out, 2 bad arguments or configuration,"
            + " 3 database, share or service unreachable, 4 internal error.";

    private ExitCodes() {
    }

    /** Maps what a command threw to its exit code and prints one clear line (no stack trace but for code 4). */
    static int handle(Exception ex, CommandLine commandLine) {
        if (unreachable(ex)) {
            // a configuration error may wrap it (cannot connect to poolpair.datasource.url = ...): its text names the setting
            commandLine.getErr().println("poolpair: " + (ex instanceof ConfigException ? ex.getMessage() : "cannot reach " + describe(ex)));
            return UNREACHABLE;
        }
        if (ex instanceof ConfigException) {
            commandLine.getErr().println("poolpair: configuration error: " + ex.getMessage());
            return USAGE;
        }
        commandLine.getErr().println("poolpair: internal error: " + ex);
        ex.printStackTrace(commandLine.getErr());
        return INTERNAL;
    }

    private static boolean unreachable(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof ConnectException || t instanceof NoSuchFileException || t instanceof AccessDeniedException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true; // connection exception class
            }
            if (t.getClass().getName().equals("com.zaxxer.hikari.pool.HikariPool$PoolInitializationException")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable ex) {
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root instanceof SQLException || ex instanceof SQLException ? "the database"
                : root instanceof IOException ? "a folder or the service" : "a resource";
        return what + ": " + (root.getMessage() == null ? root.toString() : root.getMessage());
    }
}
