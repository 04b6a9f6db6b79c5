package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import io.poolpair.state.InstanceRole;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Which instance of the pool does the work. Several instances of one pool (separate processes on the same
 * database and share) elect one with Camel's own cluster service ({@code poolpair.cluster.service}):
 * {@link FileLockClusterService} holds a file lock in the share's {@code TaskAssignment/} folder, or
 * {@link ZooKeeperClusterService} takes the leadership of {@code <base-path>/poolpair-<pool>} in the site's
 * ensemble. A {@link ClusteredRoutePolicy} on the export, import and acknowledge routes starts them on the leader
 * only; when it dies, another instance takes over (after {@code poolpair.cluster.lock-interval} ×
 * {@code poolpair.cluster.stale-after-intervals} without its heartbeat, or its ZooKeeper session) and starts them.
 * A single instance ({@code poolpair.cluster.enabled = false}, the default) is always active.
 */
public final class ActiveInstance implements InstanceRole {

    /** The cluster namespace: one lock per pool. */
    static String namespace(PoolConfig config) {
        return "poolpair-" + config.pool();
    }

    private final CamelClusterService service;
    private final RoutePolicy policy;

    private ActiveInstance(CamelClusterService service, RoutePolicy policy) {
        this.service = service;
        this.policy = policy;
    }

    static ActiveInstance of(PoolConfig config) {
        if (!config.clusterEnabled()) {
            return new ActiveInstance(null, new AlwaysActive());
        }
        CamelClusterService service = config.clusterService().equals("zookeeper") ? zooKeeper(config) : fileLock(config);
        try {
            return new ActiveInstance(service, ClusteredRoutePolicy.forNamespace(service, namespace(config)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the cluster policy of " + config.pool() + ": " + e.getMessage(), e);
        }
    }

    private static FileLockClusterService fileLock(PoolConfig config) {
        FileLockClusterService service = new FileLockClusterService();
        service.setId(instanceId(config));
        service.setRoot(config.clusterRoot().toString());
        long interval = config.clusterLockInterval().toMillis();
        service.setAcquireLockDelay(interval);
        service.setAcquireLockDelayUnit(TimeUnit.MILLISECONDS);
        service.setAcquireLockInterval(interval);
        service.setAcquireLockIntervalUnit(TimeUnit.MILLISECONDS);
        service.setHeartbeatTimeoutMultiplier(config.clusterStaleAfterIntervals());
        return service;
    }

    private static ZooKeeperClusterService zooKeeper(PoolConfig config) {
        ZooKeeperClusterService service = new ZooKeeperClusterService();
        service.setId(instanceId(config));
        service.setNodes(config.clusterZooKeeperNodes());
        service.setBasePath(config.clusterZooKeeperBasePath());
        // a killed leader's ephemeral node goes with its session: the takeover time, as with the file lock
        long session = config.clusterLockInterval().toMillis() * config.clusterStaleAfterIntervals();
        service.setSessionTimeout(session);
        service.setConnectTimeout(Math.max(session, 5_000));
        return service;
    }

    /** This instance's name among the pool's instances (in TaskAssignment/ and the cluster view). */
    private static String instanceId(PoolConfig config) {
        return config.pool() + "-" + ProcessHandle.current().pid();
    }

    /** The cluster service to register with Camel, or null for a single instance. */
    CamelClusterService service() {
        return service;
    }

    /** The route policy of the routes that run on the active instance only. */
    RoutePolicy policy() {
        return policy;
    }

    /** True on the instance doing the work (always, for a single instance). */
    @Override
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
