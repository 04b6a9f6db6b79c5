package io.poolpair.config;

import java.util.List;
import java.util.Properties;

/**
 * The configuration as Camel property placeholders for the routes: every key, minus the secrets the routes never use,
 * plus values derived for them (absolute folders, intervals in milliseconds). The peer share's endpoint and its
 * secrets are added by {@code share.PeerShare.camelProperties}.
 */
final class CamelProperties {

    /** Secrets the routes never use: they stay out of Camel's property sources. */
    static final List<String> SECRETS = List.of("poolpair.key", "poolpair.http.token", "poolpair.datasource.password");

    private CamelProperties() {
    }

    static Properties of(PoolConfig config) {
        Properties props = new Properties();
        config.values().forEach(props::setProperty);
        SECRETS.forEach(props::remove);
        props.setProperty("poolpair.share.local", config.shareLocal().toString());
        props.setProperty("poolpair.outbox", config.outbox().toString());
        props.setProperty("poolpair.sync-interval-ms", Long.toString(config.syncInterval().toMillis()));
        props.setProperty("poolpair.import.poll-delay-ms", Long.toString(config.importPollDelay().toMillis()));
        return props;
    }
}
