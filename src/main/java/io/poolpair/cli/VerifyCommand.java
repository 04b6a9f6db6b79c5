package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.verify.Verifier;
import io.poolpair.verify.VerifyReport;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Proves this pool's and the peer's copies equal by checksums exchanged through the shares, names the rows that
 * differ, and with {@code --repair} re-sends the differing rows this pool owns. Through the running service when it
 * runs, else in this process (the peer's service answers either way).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair verify --config poolA.properties", "  poolpair verify --config poolA.properties --module CentralMgmt.CMSMaster --repair --wait --json"},
        description = "Compare both pools' copies by checksums exchanged through the shares (the peer's service must run);"
                + " name the rows that differ; --repair re-sends the differing rows this pool owns. Exit code 0 when the"
                + " copies are equal (rows in flight aside), 1 when rows differ, 2 on bad arguments, 3 when the peer did not"
                + " answer.")
public final class VerifyCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--module", paramLabel = "M|All", defaultValue = "All", description = "Module to verify (default: All).")
    String module;

    @Option(names = "--table", paramLabel = "T", description = "Only this table.")
    String table;

    @Option(names = "--repair", description = "Re-send the differing rows (and files) this pool owns, as ordinary changes"
            + " exported at once; rows the peer owns are left to verify --repair on the peer.")
    boolean repair;

    @Option(names = "--wait", description = "First let what is pending here be acknowledged; with --repair, wait until the"
            + " repair is acknowledged and verify again.")
    boolean waitForAck;

    @Option(names = "--json", description = "Print the report as JSON (the differing keys, up to 1000 per table).")
    boolean json;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "Longest wait for the peer's answers and acknowledgements (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = config.load();
        VerifyReport report;
        try {
            report = serviceOrInProcess(config, pool, module, table, repair, waitForAck, timeout,
                    json ? new java.io.PrintWriter(java.io.Writer.nullWriter()) : spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("poolpair: " + e.getMessage());
            return 2;
        } catch (Verifier.NoAnswerException | ServiceFailed e) {
            spec.commandLine().getErr().println("poolpair: " + e.getMessage());
            return 3;
        }
        if (json) {
            spec.commandLine().getOut().println(report.toJson());
        } else {
            report.print(spec.commandLine().getOut());
        }
        spec.commandLine().getOut().flush();
        return report.equal() ? 0 : 1;
    }

    /** A verification through the pool's service when it runs here, else in a runtime of this process. */
    static VerifyReport serviceOrInProcess(ConfigOption config, PoolConfig pool, String module, String table, boolean repair,
                                           boolean wait, Duration timeout, java.io.PrintWriter out) throws Exception {
        Optional<VerifyReport> viaService = throughService(pool, module, table, repair, wait, timeout);
        if (viaService.isPresent()) {
            return viaService.get();
        }
        out.println("the service is not running here: verifying in this process");
        try (PoolPairRuntime runtime = ServiceRequest.inProcess(config)) {
            return inRuntime(runtime, module, table, repair, wait, timeout);
        }
    }

    /** A verification that failover or failback runs on the way. */
    interface Verification {
        VerifyReport run() throws Exception;
    }

    /**
     * Failover and failback: runs a data verification of every module and prints its result, or why it could not run;
     * it never stops the command that asked for it ({@code onDifference} and {@code onFailure} say what to do next).
     */
    static void printDataVerification(java.io.PrintWriter out, String heading, Verification verification, String onDifference,
                                      String onFailure) {
        out.println(heading);
        out.flush();
        try {
            VerifyReport report = verification.run();
            report.print(out);
            if (!report.equal()) {
                out.println(onDifference);
            }
        } catch (Exception e) {
            out.printf("data verification could not run (%s): %s%n", e.getMessage(), onFailure);
        }
        out.flush();
    }

    /** The service answered with an error (other than a bad argument). */
    static final class ServiceFailed extends RuntimeException {
        ServiceFailed(String message) {
            super(message);
        }
    }

    /**
     * A verification run by the pool's service ({@code POST /poolpair/verify}), or empty when the service does not run
     * here. Throws IllegalArgumentException for a bad module or table, {@link ServiceFailed} for any other error.
     */
    static Optional<VerifyReport> throughService(PoolConfig pool, String module, String table, boolean repair, boolean wait,
                                                 Duration timeout) throws Exception {
        Optional<HttpResponse<String>> response = ServiceRequest.send(pool, "/poolpair/verify?module=" + encode(module)
                + (table == null ? "" : "&table=" + encode(table)) + "&repair=" + repair + "&wait=" + wait
                + "&timeout=" + encode(timeout.toString()));
        if (response.isEmpty()) {
            return Optional.empty();
        }
        HttpResponse<String> r = response.get();
        if (r.statusCode() == 400) {
            throw new IllegalArgumentException(r.body().strip());
        }
        if (r.statusCode() != 200) {
            throw new ServiceFailed("the service (" + ServiceRequest.describe(pool) + ") answered " + r.statusCode() + ": "
                    + r.body().strip());
        }
        return Optional.of(VerifyReport.fromJson(r.body()));
    }

    /** A verification run by a runtime of this process (its routes receive the peer's answers). */
    static VerifyReport inRuntime(PoolPairRuntime runtime, String module, String table, boolean repair, boolean wait,
                                  Duration timeout) throws Exception {
        Verifier verifier = runtime.context().getRegistry().lookupByNameAndType("verifier", Verifier.class);
        return verifier.verify(runtime.context(), module, table, repair, wait, timeout);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
