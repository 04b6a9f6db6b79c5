package io.poolpair.status;

import io.poolpair.Headers;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Header;

/**
 * Decides when an acknowledgement is followed by a status sample and a metrics refresh. Each sample counts the
 * module's pending changes and finds its oldest unacknowledged one, which reads the whole backlog: taken after every
 * acknowledgement of a long backlog it cost more than applying the batches did. So while batches are still
 * unacknowledged or changes wait to be claimed, a module is sampled at most once per
 * {@code poolpair.status.page-refresh} (the status page shows no finer), and always once the peer has acknowledged
 * every batch and nothing is pending (two index probes): the sample that shows the pair caught up is never skipped.
 * The export cycle samples at its end regardless.
 */
public final class StatusSampling {

    private final ExportState exportState;
    private final ChangeLog changeLog;
    private final Duration minInterval;
    private final Map<String, Instant> lastSampled = new ConcurrentHashMap<>();

    public StatusSampling(ExportState exportState, ChangeLog changeLog, Duration minInterval) {
        this.exportState = exportState;
        this.changeLog = changeLog;
        this.minInterval = minInterval;
    }

    public boolean dueAfterAcknowledgement(@Header(Headers.MODULE) String module) throws SQLException {
        Instant now = Instant.now();
        ExportState.Snapshot export = exportState.get(module);
        boolean caughtUp = export.ackedBatch() >= export.lastBatch() && !changeLog.anyUnclaimed(module);
        Instant last = lastSampled.get(module);
        if (caughtUp || last == null || !now.isBefore(last.plus(minInterval))) {
            lastSampled.put(module, now);
            return true;
        }
        return false;
    }
}
