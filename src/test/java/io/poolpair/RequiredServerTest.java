package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A server binary missing in CI fails the run; elsewhere it skips the test that needs it. */
class RequiredServerTest {

    @Test
    void missingServerFailsTheTestInCi() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> RequiredServer.missing("sshd not installed", "true"));
        assertTrue(e.getMessage().contains("sshd not installed"), e.getMessage());
    }

    @Test
    void missingServerSkipsTheTestOutsideCi() {
        assertThrows(TestAbortedException.class, () -> RequiredServer.missing("sshd not installed", null));
        assertThrows(TestAbortedException.class, () -> RequiredServer.missing("sshd not installed", "false"));
    }
}
