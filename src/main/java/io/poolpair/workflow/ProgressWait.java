package io.poolpair.workflow;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The wait loop of the commands that wait for the peer (sync --wait, failback): looks at the state every
 * {@code poll}, prints a progress line when it changed, and ends when the state is reached or at the timeout.
 */
public final class ProgressWait {

    /** One look at the state: whether it is reached, what to print, and a note printed with it only. */
    public record Look(boolean done, String progress, String note) {

        public Look(boolean done, String progress) {
            this(done, progress, "");
        }
    }

    /** Looks at the state once (and may act on it, e.g. run an export cycle while it is not reached). */
    public interface Probe {
        Look look() throws Exception;
    }

    private ProgressWait() {
    }

    /**
     * True once a look finds the state reached; false when {@code timeout} passed first. A progress line is printed
     * (with its note) whenever it differs from the last one printed.
     */
    public static boolean until(Duration timeout, Duration poll, PrintWriter out, Probe probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            Look look = probe.look();
            if (!look.progress().equals(last)) {
                out.println("  " + look.progress() + look.note());
                out.flush();
                last = look.progress();
            }
            if (look.done()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
