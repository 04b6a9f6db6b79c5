package io.poolpair.workflow;

import io.poolpair.runtime.PoolPairRuntime;
import java.util.Optional;

/**
 * Where an operator workflow's export cycles run: the pool's service on this host, or a runtime started in the
 * workflow's own process when no service runs. The command line decides which (it finds the service); the workflow
 * only asks for cycles.
 */
public interface ExportCycles {

    /** Runs one export cycle now and returns when it is done. */
    void runCycle() throws Exception;

    /** The runtime of this process running the cycles, or empty when the pool's service runs them. */
    Optional<PoolPairRuntime> inProcess();
}
