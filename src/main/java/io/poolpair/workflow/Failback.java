package io.poolpair.workflow;

import io.poolpair.config.PoolConfig;
import io.poolpair.failover.FailoverNotice;
import io.poolpair.state.ExportState;
import io.poolpair.state.FailoverState;
import io.poolpair.state.SnapshotParts;
import io.poolpair.status.BackupStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Invoke-CsPoolFailback's workflow, run on the pool that acted for its peer once the peer is back: send the peer
 * everything it missed, wait until it has applied and acknowledged all of it (ExportStatus FinalState in every module,
 * after a cookie of the incarnation it came back as), hand its rows back, tell it so (the handed-back notice, written
 * by the next export cycle), then verify the copies. The command line parses options and prints; the steps and the
 * wait are here.
 */
public final class Failback {

    /** The last step: a data verification once the rows are handed back (it never undoes the failback). */
    public interface Verification {
        void run(ExportCycles cycles);
    }

    /**
     * How a failback ended: handed back (at {@code handedBack}'s time), or timed out while this pool still acts;
     * {@code restoreRows}: the rows of the restore snapshots it waited for, acknowledged and in all (empty: none).
     */
    public record Outcome(Optional<FailoverState.Failover> handedBack, Optional<Rows> restoreRows) {

        public boolean done() {
            return handedBack.isPresent();
        }
    }

    /** Rows acknowledged of rows in all. */
    public record Rows(long done, long total) {
    }

    /** Time between export cycles while waiting for the peer. */
    private static final Duration CYCLE_EVERY = Duration.ofSeconds(2);
    private static final Duration LOOK_EVERY = Duration.ofMillis(250);

    private final PoolConfig pool;
    private final FailoverState failover;
    private final BackupStatus status;
    private final ExportState exports;
    private final SnapshotParts snapshotParts;
    private final Map<String, Long> ackedAtStart = new HashMap<>();

    public Failback(PoolConfig pool, DataSource dataSource) {
        this.pool = pool;
        this.failover = FailoverNotice.failoverState(pool, dataSource);
        this.status = new BackupStatus(pool, dataSource);
        this.exports = new ExportState(dataSource);
        this.snapshotParts = new SnapshotParts(dataSource);
    }

    /** True while this pool acts for its peer (a failover in effect): only then is there anything to hand back. */
    public boolean acting() throws Exception {
        return failover.ofPeer().filter(FailoverState.Failover::inEffect).isPresent();
    }

    /** The status now (for the command's table and JSON). */
    public BackupStatus.Report report() throws Exception {
        return status.report(null);
    }

    /**
     * Marks the failback as started: the peer's cookies from now on count as heard. Notes each module's acknowledged
     * batch first, so that the restore snapshots the service stages from now on show their rows ({@link SnapshotProgress}).
     */
    public void start() throws Exception {
        for (BackupStatus.ModuleStatus m : status.report(null).modules()) {
            ackedAtStart.put(m.module(), m.lastAcknowledgedBatch());
        }
        failover.startFailback();
    }

    /**
     * After {@link #start}: runs export cycles until the peer owes nothing, then hands its rows back, has the next
     * cycle write the handed-back notice and runs {@code verification}. Or stops at {@code timeout}, still acting.
     */
    public Outcome run(ExportCycles cycles, Duration timeout, PrintWriter out, Verification verification) throws Exception {
        SnapshotProgress snapshots = new SnapshotProgress(snapshotParts, ackedAtStart);
        boolean nothingOwed = awaitNothingOwed(cycles, timeout, out, snapshots);
        Optional<Rows> rows = snapshots.seen() ? Optional.of(new Rows(snapshots.rowsDone(), snapshots.rowsTotal()))
                : Optional.empty();
        if (!nothingOwed) {
            return new Outcome(Optional.empty(), rows);
        }
        FailoverState.Failover handedBack = failover.handBack();
        try {
            cycles.runCycle(); // writes the handed-back notice into the peer's share
        } catch (IOException e) {
            out.printf("the service writes the handed-back notice at its next export cycle (%s)%n", e.getMessage());
        }
        verification.run(cycles);
        return new Outcome(Optional.of(handedBack), rows);
    }

    /**
     * FinalState: everything sent and acknowledged (a module that never had anything to send, NotInitialized
     * with no batch and no full sync due, owes nothing either).
     */
    static boolean nothingOwed(BackupStatus.ModuleStatus status, ExportState.Snapshot export) {
        return status.exportStatus() == BackupStatus.ExportStatus.FinalState
                || (status.exportStatus() == BackupStatus.ExportStatus.NotInitialized && status.pendingChanges() == 0
                && export.lastBatch() == 0 && !export.fullSyncRequested() && export.initialSyncBatch() == 0);
    }

    /**
     * Runs export cycles until the peer has spoken since the failback began (its cookie, so this pool knows the
     * incarnation it came back as: a rebuilt one is owed a restore snapshot) and every module owes it nothing: no
     * restore still to stage, everything sent and acknowledged. Or the timeout.
     */
    private boolean awaitNothingOwed(ExportCycles cycles, Duration timeout, PrintWriter out, SnapshotProgress snapshots)
            throws Exception {
        Instant failbackStarted = failover.ofPeer().map(FailoverState.Failover::failbackStartedAt).orElse(Instant.now());
        long[] nextCycle = {0};
        return ProgressWait.until(timeout, LOOK_EVERY, out, () -> {
            SnapshotProgress.Look look = snapshots.look();
            boolean finalState = true;
            boolean heard = false;
            long acknowledged = 0;
            long left = 0;
            StringBuilder progress = new StringBuilder();
            for (BackupStatus.ModuleStatus m : status.report(null).modules()) {
                acknowledged += m.lastAcknowledgedBatch();
                left += Math.max(0, m.lastExportedBatch() - m.lastAcknowledgedBatch());
                ExportState.Snapshot export = exports.get(m.module());
                heard |= export.peerHeardAt() != null && export.peerHeardAt().isAfter(failbackStarted);
                finalState &= !export.restoreRequested() && nothingOwed(m, export);
                progress.append(String.format("%s: %s, %d pending, %sbatch %d exported, %d acknowledged%s%s; ", m.module(),
                        m.exportStatus(), m.pendingChanges(), look.module(m.module(), m.lastAcknowledgedBatch())
                                .map(r -> r + ", ").orElse(""), m.lastExportedBatch(), m.lastAcknowledgedBatch(),
                        export.restoreRequested() ? ", restore snapshot to stage" : "",
                        m.restoreToPeer() == null ? "" : ", restore to " + pool.peer() + " " + m.restoreToPeer()));
            }
            if (!heard) {
                progress.append("waiting for a cookie from " + pool.peer() + " (its incarnation)");
            }
            finalState &= heard;
            if (!finalState && System.nanoTime() >= nextCycle[0]) {
                cycles.runCycle();
                nextCycle[0] = System.nanoTime() + CYCLE_EVERY.toNanos();
            }
            return new ProgressWait.Look(finalState, progress.toString().trim(), look.note(acknowledged, left));
        });
    }
}
