package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import picocli.CommandLine.Option;

/** {@code --pool P}: the failed (or returning) pool, which must be the peer of the pool in {@code --config}. */
public final class PeerPoolOption {

    @Option(names = "--pool", required = true, paramLabel = "POOL",
            description = "The paired pool that failed (or came back); this pool acts for it.")
    String pool;

    /** Null when the name is the configured peer, else the message that says what to fix. */
    String mismatch(PoolConfig config) {
        if (pool.equals(config.peer())) {
            return null;
        }
        if (pool.equals(config.pool())) {
            return "--pool " + pool + " is this pool itself: run the command on the pool that takes over, naming the"
                    + " failed pool (" + config.peer() + ")";
        }
        return "--pool " + pool + " is not the paired pool of " + config.pool() + " (poolpair.peer = " + config.peer() + ")";
    }
}
