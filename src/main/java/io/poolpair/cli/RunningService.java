package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * How a command reaches the pool's service on this host: through its HTTP endpoint, waiting while a service that
 * holds the pool is still starting. When no service runs, the command runs in-process instead; when one runs but
 * cannot be reached (its HTTP endpoint is off, or never answers), the command stops rather than start a second
 * runtime beside it.
 */
final class RunningService {

    /** Longest wait for a starting service to answer. */
    static final Duration START_WAIT = Duration.ofSeconds(90);

    /** One request to the service; false when nothing listens (connection refused). */
    interface Attempt {
        boolean reached() throws IOException, InterruptedException;
    }

    /** Thrown when a service runs for the pool but does not answer; the message says what to do. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private RunningService() {
    }

    /** True once the attempt reached the service; false when no service runs for the pool here. */
    static boolean reach(PoolConfig pool, Attempt attempt, PrintWriter out) throws IOException, InterruptedException,
            Unreachable {
        if (pool.httpEnabled() && attempt.reached()) {
            return true;
        }
        if (!PoolPairRuntime.runsHere(pool)) {
            return false;
        }
        if (!pool.httpEnabled()) {
            throw new Unreachable("a poolpair process runs for pool " + pool.pool() + " with poolpair.http.enabled=false:"
                    + " this command cannot reach it; set poolpair.http.enabled=true (loopback, token) or stop it first");
        }
        out.println("the service of " + pool.pool() + " is starting: waiting for it to answer on " + ServiceRequest.describe(pool));
        out.flush();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            if (attempt.reached()) {
                return true;
            }
            if (!PoolPairRuntime.runsHere(pool)) {
                return false; // it stopped meanwhile
            }
        }
        throw new Unreachable("a poolpair process runs for pool " + pool.pool() + " but does not answer on "
                + ServiceRequest.describe(pool) + " after " + START_WAIT.toSeconds() + " s: check its log");
    }
}
