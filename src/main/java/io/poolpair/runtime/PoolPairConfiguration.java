package io.poolpair.runtime;

import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The pool as camel-main's standard configuration class: binds the beans the routes call (and the pool's properties)
 * into the context, so that {@code routes/*.camel.yaml} runs in a plain camel-main application given only properties:
 * <pre>
 * camel.main.configuration-classes = io.poolpair.runtime.PoolPairConfiguration
 * camel.main.routes-include-pattern = file:routes/*.camel.yaml
 * poolpair.config-file = /etc/poolpair/poolA.properties
 * </pre>
 * Named by class, it loads the pool file, prepares the local folders and opens the store under the instance lock,
 * closing it when the context stops. {@link PoolPairRuntime} adds an instance with the configuration and store it
 * opened: one path for both.
 * <p>
 * camel-main runs configuration classes after it has looked in the registry for cluster services and health checks,
 * so this class hands those two kinds to the context itself, as camel-main would have, and gives the pool's meters to
 * the Prometheus registry Camel's metrics already serve.
 */
@Configuration
public class PoolPairConfiguration implements CamelConfiguration {

    /** The Camel property naming the pool's properties file, when camel-main creates this class by name. */
    public static final String CONFIG_FILE = "poolpair.config-file";

    private PoolConfig config;
    private LockedStore opened;

    /** For {@code camel.main.configuration-classes}: the pool file comes from {@value #CONFIG_FILE}. */
    public PoolPairConfiguration() {
    }

    PoolPairConfiguration(PoolConfig config, LockedStore opened) {
        this.config = config;
        this.opened = opened;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (opened == null) {
            open(context);
        }
        PrometheusMeterRegistry meters = context.getRegistry().lookupByNameAndType("metricsRegistry",
                PrometheusMeterRegistry.class);
        PoolPairBeans.bind(config, opened.store(), (name, bean) -> {
            context.getRegistry().bind(name, bean);
            if (bean instanceof CamelClusterService service) {
                try {
                    context.addService(service);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot add the cluster service of " + config.pool() + ": "
                            + e.getMessage(), e);
                }
            }
            if (bean instanceof HealthCheck check) {
                HealthCheckRegistry.get(context).register(check);
            }
        }, meters);
    }

    private void open(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        String file = properties.resolveProperty(CONFIG_FILE).orElseThrow(() -> new ConfigException(CONFIG_FILE
                + " is not set: camel.main.configuration-classes names " + getClass().getName() + ", which needs the pool's"
                + " properties file in " + CONFIG_FILE + " (e.g. -D" + CONFIG_FILE + "=/etc/poolpair/poolA.properties)"));
        config = PoolConfig.load(PoolConfig.locateHome(), Path.of(file));
        LocalFolders.prepare(config);
        LockedStore store = LockedStore.open(config);
        try {
            // the pool's settings under the application's own: a key the application sets still wins
            PeerShare.camelProperties(config).forEach((k, v) -> {
                if (properties.resolveProperty((String) k).isEmpty()) {
                    properties.addInitialProperty((String) k, (String) v);
                }
            });
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    store.close();
                }
            }, true, true);
        } catch (Exception e) {
            store.close();
            throw new IllegalStateException("cannot prepare pool " + config.pool() + ": " + e.getMessage(), e);
        }
        opened = store;
    }

    /** The pool's configuration, once {@link #configure} ran. */
    public PoolConfig config() {
        return config;
    }
}
