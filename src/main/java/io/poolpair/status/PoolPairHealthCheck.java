package io.poolpair.status;

import io.poolpair.state.ErrorText;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Camel health check {@code poolpair}: DOWN when any module is in ErrorState or its recovery point (oldest
 * unacknowledged change) is older than {@code poolpair.rpo-alert}. Readiness only: a peer outage or an old
 * recovery point is no reason to restart this process (Kubernetes restarts a pod whose liveness is DOWN); liveness
 * is Camel's own (the context and its routes run).
 */
public final class PoolPairHealthCheck extends AbstractHealthCheck {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PoolPairHealthCheck.class);

    private final BackupStatus status;
    private final Duration rpoAlert;

    public PoolPairHealthCheck(BackupStatus status, Duration rpoAlert) {
        super("poolpair", "poolpair");
        this.status = status;
        this.rpoAlert = rpoAlert;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            StringBuilder problems = new StringBuilder();
            for (BackupStatus.ModuleStatus m : status.report(null).modules()) {
                builder.detail(m.module() + ".exportStatus", m.exportStatus().name());
                builder.detail(m.module() + ".importStatus", m.importStatus().name());
                builder.detail(m.module() + ".oldestUnacknowledgedChangeAgeSeconds", m.oldestUnacknowledgedChangeAgeSeconds());
                if (m.exportStatus() == BackupStatus.ExportStatus.ErrorState
                        || m.importStatus() == BackupStatus.ImportStatus.ErrorState) {
                    // the error text itself is in status (it may quote SQL, paths or values): health is served to anyone
                    problems.append(m.module()).append(" is in ErrorState (see poolpair status); ");
                }
                if (m.oldestUnacknowledgedChangeAgeSeconds() > rpoAlert.toSeconds()) {
                    problems.append(m.module()).append(" recovery point is ").append(m.oldestUnacknowledgedChangeAgeSeconds())
                            .append(" s old, over poolpair.rpo-alert ").append(rpoAlert).append("; ");
                }
            }
            if (problems.length() > 0) {
                builder.message(problems.toString().trim()).down();
            } else {
                builder.up();
            }
        } catch (Exception e) {
            LOG.warn("health check poolpair cannot read the backup status: {}", ErrorText.of(e));
            builder.message("cannot read the backup status (see the service's log)").down();
        }
    }
}
