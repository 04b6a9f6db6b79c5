package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
import io.poolpair.store.Store;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * One pool inside a Camel 4 context that an integrator already runs (no camel-main): the pool's properties
 * become the context's initial properties (the host's own properties still win), and the beans the routes
 * call are bound in the context's registry. The host loads {@code routes/*.camel.yaml} as it loads its own
 * routes (camel-yaml-dsl on its classpath).
 */
public final class EmbeddedPool implements AutoCloseable {

    private final LockedStore opened;

    private EmbeddedPool(LockedStore opened) {
        this.opened = opened;
    }

    /** Opens the pool's store (creating poolpair's tables and triggers when absent) and binds properties and beans. */
    public static EmbeddedPool install(CamelContext context, PoolConfig config) {
        LockedStore opened = LockedStore.open(config);
        try {
            PropertiesComponent properties = context.getPropertiesComponent();
            PeerShare.camelProperties(config).forEach((k, v) -> properties.addInitialProperty((String) k, (String) v));
            PoolPairBeans.bind(config, opened.store(), context.getRegistry()::bind);
            return new EmbeddedPool(opened);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    public Store store() {
        return opened.store();
    }

    /** Closes the store; stop the Camel context first. */
    @Override
    public void close() {
        opened.close();
    }
}
