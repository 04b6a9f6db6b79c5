package io.poolpair.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/poolpair.jar <command>}. */
@Command(name = "poolpair", mixinStandardHelpOptions = true, version = "poolpair 0.1.0",
        description = "Pool-pairing backup service built from Apache Camel routes.",
        subcommands = {RunCommand.class, StatusCommand.class, SyncCommand.class, ConfigCommand.class,
            VerifyCommand.class, FailoverCommand.class, FailbackCommand.class, DemoCommand.class, BenchCommand.class,
            KeygenCommand.class, UninstallCommand.class, BatchCommand.class})
public final class PoolPairCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        LogFiles.useHomeConfiguration();
        System.exit(commandLine().execute(args));
    }

    private static String[] append(String[] lines, String line) {
        String[] all = java.util.Arrays.copyOf(lines, lines.length + 1);
        all[lines.length] = line;
        return all;
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PoolPairCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> ExitCodes.handle(ex, commandLine));
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().footer(sub.getCommandSpec().usageMessage().footer().length == 0
                    ? new String[] {ExitCodes.HELP} : append(sub.getCommandSpec().usageMessage().footer(), ExitCodes.HELP));
        }
        return cl;
    }
}
