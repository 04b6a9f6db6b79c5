package io.poolpair.status;

import io.poolpair.state.FailoverState;
import java.sql.SQLException;

/** The failover part of status: which pool acts for which, since when, and any split-brain writes. */
final class FailoverView {

    private FailoverView() {
    }

    /** Disaster recovery as seen from {@code pool}, or null when no failover ever concerned it. */
    static BackupStatus.FailoverStatus of(FailoverState failoverState, String pool, String peer) throws SQLException {
        if (!failoverState.recorded()) {
            return null;
        }
        var mine = failoverState.ofPeer();
        if (mine.isPresent()) {
            FailoverState.Failover f = mine.get();
            String role;
            String summary;
            switch (f.state()) {
                case Acting -> {
                    role = "acting";
                    summary = pool + " is acting for " + peer + " since " + f.since() + ": writes to " + peer
                            + "'s rows are captured and queued for " + peer;
                }
                case FailingBack -> {
                    role = "failing-back";
                    summary = pool + " is failing back to " + peer + " since " + f.failbackStartedAt() + ": sending " + peer
                            + " everything it missed (still acting for it)";
                }
                default -> {
                    role = "handed-back";
                    summary = pool + " handed " + peer + "'s rows back at " + f.handedBackAt() + " (acted for it since "
                            + f.since() + "); writes to them here are flagged";
                }
            }
            if (f.splitBrainBatches() > 0) {
                summary += "; SPLIT BRAIN: " + peer + " wrote " + f.splitBrainBatches() + " batch(es) while " + pool
                        + " acted for it, last at " + f.splitBrainAt();
            }
            if (!"handed-back".equals(role) || failoverState.supersededSince().isEmpty()) {
                return new BackupStatus.FailoverStatus(role, pool, peer, f.since(), f.failbackStartedAt(), f.handedBackAt(),
                        f.splitBrainBatches(), f.splitBrainAt(), summary);
            }
        }
        var superseded = failoverState.supersededSince();
        if (superseded.isPresent()) {
            return new BackupStatus.FailoverStatus("superseded", peer, pool, superseded.get(), null, null, 0, null, peer
                    + " is acting for " + pool + " since " + superseded.get() + " (failover): writes here are split-brain"
                    + " writes until " + peer + " fails back");
        }
        return null;
    }
}
