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
 * Decides when an acknowledgement is followed by a status sample (which the gauges show too). Each sample counts the
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
        Instant last = lastSampled.get(module);
        // due by time: no need to ask whether the pair caught up (the probe for an unclaimed change walks what the
        // claims left in the index until a vacuum)
        boolean dueByTime = last == null || !now.isBefore(last.plus(minInterval));
        if (dueByTime || caughtUp(module)) {
            lastSampled.put(module, now);
            return true;
        }
        return false;
    }

    private boolean caughtUp(String module) throws SQLException {
        ExportState.Snapshot export = exportState.get(module);
        return export.ackedBatch() >= export.lastBatch() && !changeLog.anyUnclaimed(module);
    }
}
