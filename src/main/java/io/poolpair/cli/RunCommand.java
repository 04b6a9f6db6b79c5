package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs one pool's backup service until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair run --config /etc/poolpair/poolA.properties", "  JAVA_OPTS=-Xmx1g poolpair run --config poolA.properties   # more heap"},
        description = "Run this pool's backup service (export, import, acknowledge, HTTP operations) until stopped.")
public final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        PoolConfig pool = config.load();
        LogFiles.alsoUnderDataFolder(pool);
        PoolPairRuntime.create(pool).runUntilStopped();
        return 0;
    }
}
