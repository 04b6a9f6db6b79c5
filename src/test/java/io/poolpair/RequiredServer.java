package io.poolpair;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place where a test gives up because a server it needs (PostgreSQL's initdb, sshd, smbd, chromium) is not
 * installed. On a developer's machine the test is skipped with the message; in CI ({@code CI=true}) it fails,
 * because {@code .ci/run} installs them all, so a skip there means something is broken.
 */
final class RequiredServer {

    private RequiredServer() {
    }

    /** Skips the test (fails it in CI) unless {@code available}. */
    static void assume(boolean available, String message) {
        if (!available) {
            missing(message);
        }
    }

    /** Skips the test (fails it in CI): the server is missing. */
    static void missing(String message) {
        missing(message, System.getenv("CI"));
    }

    /** As {@link #missing(String)} with the value of the {@code CI} variable given. */
    static void missing(String message, String ci) {
        if ("true".equalsIgnoreCase(ci)) {
            Assertions.fail("CI=true, so a missing server fails the run instead of skipping the test: " + message);
        }
        Assumptions.abort(message);
    }
}
