package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.workflow.ExportCycles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The export cycles of a command (sync, failback): run by the pool's service on this host ({@code POST /poolpair/sync})
 * when it runs, else by a runtime this command starts in its own process ({@link ServiceRequest#inProcess}), closed
 * with it. Opening runs the first cycle: asking the service for it is how the service is found.
 */
final class PoolCycles implements ExportCycles, AutoCloseable {

    /** What runs in this process before its first cycle (sync --full: request the full syncs). */
    interface BeforeFirstCycle {
        void prepare(PoolPairRuntime runtime) throws Exception;
    }

    /** The service answered but did not run the cycle (a standby instance: 503; a refused token: 401). */
    static final class ServiceRefused extends IOException {
        ServiceRefused(String message) {
            super(message);
        }
    }

    private final PoolConfig pool;
    private final String query;
    private final String module;
    private final PoolPairRuntime runtime;

    private PoolCycles(PoolConfig pool, String query, String module, PoolPairRuntime runtime) {
        this.pool = pool;
        this.query = query;
        this.module = module;
        this.runtime = runtime;
    }

    /**
     * Runs a first export cycle of {@code module} ({@code null}: every module) in the service, or when none runs here
     * (after printing {@code inProcessNote}) in a runtime of this process, and returns the cycles for more.
     *
     * @throws RunningService.Unreachable a service runs for the pool but cannot be reached
     * @throws ServiceRefused the service answered without running the cycle
     */
    static PoolCycles open(ConfigOption config, PoolConfig pool, String module, boolean full, PrintWriter out,
                           String inProcessNote, BeforeFirstCycle before) throws Exception {
        String query = "/poolpair/sync" + (module == null ? "" : "?module=" + URLEncoder.encode(module, StandardCharsets.UTF_8)
                + (full ? "&full=true" : ""));
        PoolCycles service = new PoolCycles(pool, query, module, null);
        if (RunningService.reach(pool, service::askService, out)) {
            return service;
        }
        out.println(inProcessNote);
        out.flush();
        PoolPairRuntime runtime = ServiceRequest.inProcess(config);
        try {
            before.prepare(runtime);
            PoolCycles inProcess = new PoolCycles(pool, query, module, runtime);
            inProcess.runCycle();
            return inProcess;
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
    }

    /** One cycle through the service: false when no service listens here. */
    private boolean askService() throws IOException, InterruptedException {
        Optional<HttpResponse<String>> response = ServiceRequest.send(pool, query);
        if (response.isPresent() && response.get().statusCode() != 200) {
            throw new ServiceRefused("the service at " + ServiceRequest.describe(pool) + " answered " + response.get().statusCode()
                    + ": " + response.get().body().strip());
        }
        return response.isPresent();
    }

    @Override
    public void runCycle() throws Exception {
        if (runtime != null) {
            if (module == null) {
                runtime.syncNow();
            } else {
                runtime.syncNow(module);
            }
        } else if (!askService()) {
            throw new java.net.ConnectException("the service at " + ServiceRequest.describe(pool) + " stopped answering");
        }
    }

    @Override
    public Optional<PoolPairRuntime> inProcess() {
        return Optional.ofNullable(runtime);
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
    }
}
