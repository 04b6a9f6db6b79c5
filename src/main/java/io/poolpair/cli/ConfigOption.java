package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
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
        return load(Map.of());
    }

    /** Loads the configuration and checks the peer share's form (share.PeerShare), as start-up does. */
    PoolConfig load(Map<String, String> overrides) {
        PoolConfig config = PoolConfig.load(PoolConfig.locateHome(), file, overrides);
        PeerShare.of(config);
        return config;
    }
}
