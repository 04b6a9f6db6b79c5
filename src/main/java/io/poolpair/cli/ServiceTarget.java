package io.poolpair.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where {@code status} and {@code sync} act: this host's pool ({@code --config FILE}), or a running instance on any
 * host ({@code --url}, no pool file needed). The token for {@code --url} comes from {@code --token-file} or the
 * environment variable {@value RemoteService#TOKEN_ENV}, never from an argument (process arguments are visible to
 * every local user).
 */
final class ServiceTarget {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The pool's properties file (overrides config/application.properties).")
    Path file;

    @ArgGroup(exclusive = false)
    Remote remote;

    static final class Remote {
        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "A running instance's HTTP endpoint, on this host or another: http(s)://host:port"
                        + " (no pool file needed).")
        URI url;

        @Option(names = "--token-file", paramLabel = "FILE", description = "With --url: a file holding the pool's HTTP"
                + " token (else the environment variable " + RemoteService.TOKEN_ENV + "; never the token as an argument).")
        Path tokenFile;
    }

    /** The pool file as the local commands take it; only when {@link #remote} is null. */
    ConfigOption config() {
        return ConfigOption.of(file);
    }
}
