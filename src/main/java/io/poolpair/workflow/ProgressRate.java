package io.poolpair.workflow;

import java.util.Locale;

/**
 * The rate and time left of a wait, from what was done since it began: {@code " [12.5 batches/s, about 40 s left]"},
 * or nothing before the first unit is done or once nothing is left. One per wait; the first call sets the start.
 */
public final class ProgressRate {

    private final String unit;
    private final long started = System.nanoTime();
    private long doneAtStart = -1;

    public ProgressRate(String unit) {
        this.unit = unit;
    }

    /** {@code done}: units done so far (a counter that only grows); {@code left}: units still to do. */
    public String note(long done, long left) {
        if (doneAtStart < 0) {
            doneAtStart = done;
        }
        long gained = done - doneAtStart;
        if (gained <= 0 || left <= 0) {
            return "";
        }
        double perSecond = gained / Math.max(0.001, (System.nanoTime() - started) / 1e9);
        return String.format(Locale.ROOT, " [%.1f %s/s, about %d s left]", perSecond, unit, Math.round(left / perSecond));
    }
}
