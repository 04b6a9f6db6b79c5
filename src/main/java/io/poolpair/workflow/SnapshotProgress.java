package io.poolpair.workflow;

import io.poolpair.state.SnapshotParts;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * The progress of a wait for the peer (sync --wait, failback) in rows where a module has a full sync or restore
 * snapshot in flight: one whose last part was not acknowledged when the wait began (staged by the wait's own cycle, or
 * earlier and still travelling, also across a restart of the sender: the part row counts are in the database). Per
 * look: each module's line, then the rate and time left, in rows when every module has such a snapshot, else in batches.
 */
public final class SnapshotProgress {

    private final SnapshotParts parts;
    private final Map<String, Long> ackedAtStart;
    private final ProgressRate rowRate = new ProgressRate("rows");
    private final ProgressRate batchRate = new ProgressRate("batches");
    private boolean seen;
    private long rowsDone;
    private long rowsTotal;

    /** {@code ackedAtStart}: each module's acknowledged batch when the wait began. */
    public SnapshotProgress(SnapshotParts parts, Map<String, Long> ackedAtStart) {
        this.parts = parts;
        this.ackedAtStart = Map.copyOf(ackedAtStart);
    }

    /** Begins a look at every module of the wait. */
    public Look look() {
        return new Look();
    }

    /** True when the last look found a snapshot in flight in some module. */
    public boolean seen() {
        return seen;
    }

    /** Rows of the snapshots in flight acknowledged, as of the last look (summed over modules). */
    public long rowsDone() {
        return rowsDone;
    }

    /** Rows of the snapshots in flight in all, as of the last look. */
    public long rowsTotal() {
        return rowsTotal;
    }

    /** One look: {@link #module} for each module, then {@link #note}. */
    public final class Look {
        private boolean every = true;
        private boolean any;
        private long done;
        private long total;

        private Look() {
        }

        /**
         * The module's snapshot in flight, as {@code rows 35/68 acknowledged (full sync, 5/10 parts)}, counting the
         * parts numbered at most {@code acked}; empty when it has none.
         */
        public Optional<String> module(String module, long acked) throws SQLException {
            long before = ackedAtStart.getOrDefault(module, 0L);
            Optional<SnapshotParts.Progress> snapshot = parts.progress(module, acked).filter(p -> p.lastBatch() > before);
            if (snapshot.isEmpty()) {
                every = false;
                return Optional.empty();
            }
            SnapshotParts.Progress p = snapshot.get();
            any = true;
            done += p.rowsAcked();
            total += p.rowsTotal();
            return Optional.of(String.format("rows %d/%d acknowledged (%s, %d/%d parts)", p.rowsAcked(), p.rowsTotal(),
                    SnapshotParts.describe(p.kind()), p.partsAcked(), p.parts()));
        }

        /** Ends the look: the rate and time left ({@link ProgressRate#note}), in rows or, given here, in batches. */
        public String note(long batchesAcked, long batchesLeft) {
            seen = any;
            rowsDone = done;
            rowsTotal = total;
            return any && every ? rowRate.note(done, total - done) : batchRate.note(batchesAcked, batchesLeft);
        }
    }
}
