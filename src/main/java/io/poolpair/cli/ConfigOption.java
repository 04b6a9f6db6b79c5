package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands. */
public final class ConfigOption {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The pool's properties file (overrides config/application.properties).")
    Path file;

    static ConfigOption of(Path file) {
        ConfigOption option = new ConfigOption();
        option.file = file;
        return option;
    }

    PoolConfig load() {
        return PoolConfig.load(PoolConfig.locateHome(), file);
    }

    PoolConfig load(Map<String, String> overrides) {
        return PoolConfig.load(PoolConfig.locateHome(), file, overrides);
    }
}
