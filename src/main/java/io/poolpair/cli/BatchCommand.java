package io.poolpair.cli;

import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * symadmin-like batch tools: list the batch files of a pool with their states, show one (manifest, signature
 * verdict, rows per table) and release a quarantined one back into the share once it passes the importer's checks.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        subcommands = {BatchCommand.ListFiles.class, BatchCommand.Show.class, BatchCommand.Release.class},
        footer = {"%nExamples:", "  poolpair batch list --config poolB.properties",
            "  poolpair batch show --config poolB.properties data/poolB/quarantine/UserServices.PresenceFocus/20261130-101500-000-poolA-UserServices.PresenceFocus-000000000007.zip",
            "  poolpair batch release --config poolB.properties <that file>"},
        description = "Batch files of a pool: list, show, release (see each one's --help).")
public final class BatchCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static Path existing(CommandLine commandLine, Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandLine.ParameterException(commandLine, file + " is not a file (a link, a folder or missing):"
                    + " name a batch zip, e.g. one that poolpair batch list shows");
        }
        return file;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  poolpair batch list --config poolA.properties",
                "  poolpair batch list --config poolA.properties --json", ExitCodes.HELP},
            description = "List the pool's batch files: the outbox (staged, published, acknowledged), the peer's share"
                    + " (published), this pool's share (waiting, or acknowledged as a duplicate) and quarantine (with the"
                    + " reason). Exit code 0.")
    static final class ListFiles implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        JsonOutput output;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (BatchFiles files = new BatchFiles(config.load())) {
                List<BatchFiles.Listed> all = files.list();
                PrintWriter out = output.text(spec.commandLine().getOut());
                if (all.isEmpty()) {
                    out.println("no batch files in the outbox, the shares or quarantine");
                }
                out.printf("%-11s %-13s %-28s %12s  %s%n", "LOCATION", "STATE", "MODULE", "BATCH", "FILE");
                for (BatchFiles.Listed f : all) {
                    out.printf("%-11s %-13s %-28s %12s  %s%n", f.location(), f.state(), f.module(),
                            f.batch() < 0 ? "-" : Long.toString(f.batch()), f.path());
                    if (f.reason() != null) {
                        out.printf("%-11s   %s%n", "", f.reason());
                    }
                }
                out.flush();
                output.print(spec.commandLine().getOut(), Map.of("pool", files.pool.pool(), "peer", files.pool.peer(),
                        "files", all.stream().map(f -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("location", f.location().name());
                            row.put("module", f.module());
                            row.put("batch", f.batch());
                            row.put("state", f.state());
                            row.put("reason", f.reason());
                            row.put("path", f.path().toString());
                            return row;
                        }).toList()));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  poolpair batch show --config poolB.properties /srv/poolB-share/UserServices/PresenceFocus/Data/poolA-UserServices.PresenceFocus-000000000042.zip",
                "  poolpair batch show --config poolA.properties data/poolA/outbox/poolA-CentralMgmt.CMSMaster-000000000007.zip --json",
                ExitCodes.HELP},
            description = "Show a batch file: its manifest, the verdict of the importer's checks (signature, names, sizes,"
                    + " sha256 of every entry, rows against the tables) and rows per table. Applies nothing. Exit code 0"
                    + " when it passes, 1 when it is rejected (the reason is printed; the manifest shown is then what the"
                    + " file claims, unverified).")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        JsonOutput output;

        @Parameters(paramLabel = "FILE", description = "A batch zip: in the outbox, a share's Data folder or quarantine.")
        Path file;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            existing(spec.commandLine(), file);
            try (BatchFiles files = new BatchFiles(config.load())) {
                BatchFiles.Shown shown = files.show(file);
                PrintWriter out = output.text(spec.commandLine().getOut());
                out.printf("File:        %s%n", shown.file());
                out.printf("Direction:   %s%n", shown.direction());
                out.printf("Verdict:     %s%n", shown.verdict());
                Manifest m = shown.manifest();
                if (m == null) {
                    out.println("Manifest:    none readable");
                } else {
                    out.printf("Manifest:    %s%n", shown.manifestVerified() ? "verified" : "as the file claims (NOT verified)");
                    out.printf("  source %s, target %s, module %s, batch %d, kind %s%s%n", m.sourcePool(), m.targetPool(),
                            m.module(), m.batch(), m.kind(), m.snapshot() ? " part " + m.part() + " of " + m.parts() : "");
                    out.printf("  changes %d (change ids %d..%d), created %s, incarnation %s%s%n", m.changes(),
                            m.changeIdFrom(), m.changeIdTo(), m.createdAt(), m.incarnation(),
                            m.encryption() == null ? "" : ", entries encrypted (" + m.encryption() + ")");
                    if (m.tables() != null) {
                        out.println("  rows per table:");
                        m.tables().forEach((table, counts) -> out.printf("    %-28s %d upserts, %d deletes%n", table,
                                counts.upserts(), counts.deletes()));
                    }
                }
                out.flush();
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("file", shown.file());
                json.put("direction", shown.direction());
                json.put("passes", shown.passes());
                json.put("verdict", shown.verdict());
                json.put("manifestVerified", shown.manifestVerified());
                json.put("manifest", m);
                json.put("rows", shown.rows());
                output.print(spec.commandLine().getOut(), json);
                return shown.passes() ? ExitCodes.OK : ExitCodes.UNHEALTHY;
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  poolpair batch release --config poolB.properties data/poolB/quarantine/UserServices.PresenceFocus/20261130-101500-000-poolA-UserServices.PresenceFocus-000000000007.zip",
                "  poolpair batch release --config poolB.properties <quarantined file> --json", ExitCodes.HELP},
            description = "Check a quarantined batch again with the importer's checks and, when it passes now (e.g. after"
                    + " fixing poolpair.key), put it back into this pool's share (Data folder of its module, through Temp/),"
                    + " where the import route applies it in order. Exit code 0 when released, 1 when it still fails (the"
                    + " reason is printed, the file stays in quarantine), 2 when it is not a quarantined batch.")
    static final class Release implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        JsonOutput output;

        @Parameters(paramLabel = "FILE", description = "A quarantined batch zip (poolpair batch list shows them).")
        Path file;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            existing(spec.commandLine(), file);
            try (BatchFiles files = new BatchFiles(config.load())) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("file", file.toAbsolutePath().normalize().toString());
                int code;
                try {
                    Path target = files.release(file);
                    output.text(spec.commandLine().getOut()).println("released " + file + ": it passes the importer's checks;"
                            + " it lies in " + target + " for the import route");
                    json.put("released", true);
                    json.put("to", target.toString());
                    code = ExitCodes.OK;
                } catch (BatchRejectedException e) {
                    spec.commandLine().getErr().println("poolpair: not released, " + file + " still fails the importer's"
                            + " checks: " + e.getMessage());
                    json.put("released", false);
                    json.put("reason", e.getMessage());
                    code = ExitCodes.UNHEALTHY;
                } catch (IllegalArgumentException e) {
                    spec.commandLine().getErr().println("poolpair: " + e.getMessage());
                    json.put("released", false);
                    json.put("reason", e.getMessage());
                    code = ExitCodes.USAGE;
                }
                output.text(spec.commandLine().getOut()).flush();
                json.put("exitCode", code);
                output.print(spec.commandLine().getOut(), json);
                return code;
            }
        }
    }
}
