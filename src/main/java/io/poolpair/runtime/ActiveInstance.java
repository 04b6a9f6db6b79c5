package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Which instance of the pool does the work. Several instances of one pool (separate processes on the same
 * database and share) elect one with Camel's own cluster service: {@link FileLockClusterService} holds a file
 * lock in the share's {@code TaskAssignment/} folder, and a {@link ClusteredRoutePolicy} on the export, import
 * and acknowledge routes starts them on the lock holder only; when it dies, another instance takes the lock
 * (after {@code poolpair.cluster.lock-interval} × {@code poolpair.cluster.stale-after-intervals} without its
 * heartbeat) and starts them. A single instance ({@code poolpair.cluster.enabled = false}, the default) is
 * always active.
 */
public final class ActiveInstance {

    /** The cluster namespace: one lock per pool. */
    static String namespace(PoolConfig config) {
        return "poolpair-" + config.pool();
    }

    private final FileLockClusterService service;
    private final RoutePolicy policy;

    private ActiveInstance(FileLockClusterService service, RoutePolicy policy) {
        this.service = service;
        this.policy = policy;
    }

    static ActiveInstance of(PoolConfig config) {
        if (!config.clusterEnabled()) {
            return new ActiveInstance(null, new AlwaysActive());
        }
        FileLockClusterService service = new FileLockClusterService();
        service.setId(config.pool() + "-" + ProcessHandle.current().pid());
        service.setRoot(config.clusterRoot().toString());
        long interval = config.clusterLockInterval().toMillis();
        service.setAcquireLockDelay(interval);
        service.setAcquireLockDelayUnit(TimeUnit.MILLISECONDS);
        service.setAcquireLockInterval(interval);
        service.setAcquireLockIntervalUnit(TimeUnit.MILLISECONDS);
        service.setHeartbeatTimeoutMultiplier(config.clusterStaleAfterIntervals());
        try {
            return new ActiveInstance(service, ClusteredRoutePolicy.forNamespace(service, namespace(config)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the cluster policy of " + config.pool() + ": " + e.getMessage(), e);
        }
    }

    /** The cluster service to register with Camel, or null for a single instance. */
    FileLockClusterService service() {
        return service;
    }

    /** The route policy of the routes that run on the active instance only. */
    RoutePolicy policy() {
        return policy;
    }

    /** True on the instance doing the work (always, for a single instance). */
    public boolean active() {
        return !(policy instanceof ClusteredRoutePolicy clustered) || clustered.isLeader();
    }

    /** HTTP sync step: an export cycle runs on the active instance only. */
    public void requireActive(Exchange exchange) {
        if (!active()) {
            throw new StandbyException("this instance is on standby; the active instance of the pool runs export cycles"
                    + " (see TaskAssignment/ in the pool's share, or GET /poolpair/status)");
        }
    }

    /** Thrown on a standby instance for work only the active one does. */
    public static final class StandbyException extends RuntimeException {
        StandbyException(String message) {
            super(message);
        }
    }

    /**
     * The route policy of a single instance: it is always the active one, so it leaves every callback as it is
     * and the routes start (or not) by their own autoStartup.
     */
    static final class AlwaysActive extends RoutePolicySupport {
    }
}
