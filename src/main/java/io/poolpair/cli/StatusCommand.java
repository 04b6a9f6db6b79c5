package io.poolpair.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusTable;
import io.poolpair.store.StoreConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Get-CsBackupServiceStatus: per module export and import state, read from the store whether the service runs or not, or from a running instance on any host ({@code --url}). */
@Command(name = "status", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair status --config poolA.properties", "  poolpair status --config poolA.properties --module UserServices.PresenceFocus --json",
            "  POOLPAIR_HTTP_TOKEN=... poolpair status --url http://pool-a-host:8080"},
        description = "Show each module's ExportStatus and ImportStatus, backlog, recovery point and last error, from the"
                + " pool's store (--config) or from a running instance on any host (--url; the token from --token-file or"
                + " POOLPAIR_HTTP_TOKEN)."
                + " Exit code 0 when every module is FinalState/SteadyState and NormalState, 1 otherwise, 2 on bad arguments"
                + " or a refused token, 3 when --url cannot be reached.")
public final class StatusCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    ServiceTarget target;

    @Option(names = "--module", paramLabel = "M", description = "Only this module (default: all).")
    String module;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (target.remote != null) {
            return RemoteService.of(target.remote, spec.commandLine()).printStatus(module, json, spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        PoolConfig pool = target.config().load();
        BackupStatus.Report report;
        try (HikariDataSource ds = StoreConnection.open(pool)) {
            report = new BackupStatus(pool, ds).report(module);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("poolpair: " + e.getMessage());
            return 2;
        }
        if (json) {
            spec.commandLine().getOut().println(report.toJson());
            spec.commandLine().getOut().flush();
        } else {
            StatusTable.print(report, spec.commandLine().getOut());
        }
        return report.healthy() ? 0 : 1;
    }
}
