package io.poolpair.config;

import java.nio.file.Files;

/** The checks that involve more than one key, run once at load after each key's own check. */
final class ConfigChecks {

    private ConfigChecks() {
    }

    static void check(PoolConfig config) {
        if (config.pool().equals(config.peer())) {
            throw new ConfigException("poolpair.peer must differ from poolpair.pool (both are '" + config.pool() + "')");
        }
        if (!Files.isDirectory(config.shareLocal())) {
            throw new ConfigException("poolpair.share.local = " + config.get("poolpair.share.local") + ": the folder does"
                    + " not exist or is not reachable (create it, or mount the share)");
        }
        // the peer's share is not required: it may be gone with the peer's site (failover), and batches queue in the
        // outbox until it is back; the service warns at start-up when it cannot see it. Its form is checked by
        // share.PeerShare.of, which the commands and the runtime call on the loaded configuration.
        if (config.failoverNoticeValidity().compareTo(config.syncInterval().multipliedBy(3)) < 0) {
            throw new ConfigException("poolpair.failover.notice-validity = " + config.get("poolpair.failover.notice-validity")
                    + ": must be at least three sync intervals (poolpair.sync-interval = " + config.syncInterval()
                    + "), since the acting pool renews the notice once a cycle");
        }
        if (config.httpEnabled()) {
            httpHostOpenOnlyWithToken(config);
        }
        for (ModuleConfig module : config.modules()) {
            // a batch holds up to two row entries per table, the key times of a failover, its manifest and its
            // signature, and one content file at least: fewer entries allowed would make batches the peer must reject
            int needed = 2 * module.tables().size() + 4;
            if (config.maxEntries() < needed) {
                throw new ConfigException("poolpair.import.max-entries = " + config.maxEntries() + " is too small for module "
                        + module.name() + " (" + module.tables().size() + " tables): a batch may need " + needed
                        + " entries; set at least " + needed);
            }
        }
        if (config.clusterEnabled()) {
            if (config.datasourceUrl().startsWith("jdbc:h2:")) {
                throw new ConfigException("poolpair.cluster.enabled = true: several instances of a pool need one shared"
                        + " PostgreSQL database (set poolpair.datasource.url = jdbc:postgresql://...), not embedded H2");
            }
            if (config.clusterService().equals("zookeeper")) {
                config.clusterZooKeeperNodes();
            }
        }
    }

    private static void httpHostOpenOnlyWithToken(PoolConfig config) {
        String host = config.httpHost();
        boolean loopback;
        try {
            loopback = host.equalsIgnoreCase("localhost") || java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("poolpair.http.host = " + host + ": unknown host (use 127.0.0.1, or an address of"
                    + " this machine)", e);
        }
        if (!loopback && config.httpToken().isEmpty()) {
            throw new ConfigException("poolpair.http.host = " + host + " opens the HTTP endpoints to the network: set"
                    + " poolpair.http.token or poolpair.http.token-file as well (or keep poolpair.http.host = 127.0.0.1)");
        }
    }
}
