package io.poolpair.cli;

import java.io.Console;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --dry-run} and {@code --yes} for the commands that change who serves a pool's users (Lync's {@code -WhatIf}
 * and {@code -Force}): a dry run prints what would happen and changes nothing; on a terminal the command asks for the
 * name of the pool it concerns unless {@code --yes} is given; a script (no terminal) is not asked.
 */
public final class Confirmation {

    @Option(names = "--dry-run", description = "Print what would happen, change nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for a confirmation on a terminal.")
    boolean yes;

    /** True to go on: --yes, no terminal, or the operator typed {@code pool}. */
    boolean confirmed(String question, String pool, PrintWriter out) {
        Console console = System.console();
        if (yes || console == null) {
            return true;
        }
        out.flush();
        String answer = console.readLine("%s Type %s to go on: ", question, pool);
        return answer != null && answer.strip().equals(pool);
    }
}
