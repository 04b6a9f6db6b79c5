package io.poolpair.cli;

import io.poolpair.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/poolpair.jar <command>}. */
@Command(name = "poolpair", mixinStandardHelpOptions = true, version = "poolpair 0.1.0",
        description = "Pool-pairing backup service built from Apache Camel routes.",
        subcommands = {RunCommand.class, StatusCommand.class, SyncCommand.class, ConfigCommand.class,
            VerifyCommand.class, FailoverCommand.class, FailbackCommand.class, DemoCommand.class, BenchCommand.class, KeygenCommand.class})
public final class PoolPairCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PoolPairCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof ConfigException) {
                commandLine.getErr().println("poolpair: configuration error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
