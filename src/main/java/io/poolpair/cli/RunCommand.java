package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs one pool's backup service until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run this pool's backup service (export, import, acknowledge) until stopped.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The pool's properties file (overrides config/application.properties).")
    Path config;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = PoolConfig.load(PoolConfig.locateHome(), config);
        PoolPairRuntime.create(pool).runUntilStopped();
        return 0;
    }
}
