package io.poolpair.bench;

import java.io.PrintWriter;
import java.time.Duration;

/** Progress lines of a bench run, with the time since it started. */
final class Progress {

    private final PrintWriter out;
    private final long started = System.nanoTime();

    Progress(PrintWriter out) {
        this.out = out;
    }

    void say(String format, Object... args) {
        Duration d = Duration.ofNanos(System.nanoTime() - started);
        out.printf("[%3d:%02d] %s%n", d.toMinutes(), d.toSecondsPart(), String.format(format, args));
        out.flush();
    }

    /** 10000 → "10,000". */
    static String count(long n) {
        return String.format("%,d", n);
    }
}
