package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import io.poolpair.share.PeerShare;
import io.poolpair.store.Store;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

/**
 * One pool's backup service: camel-main with the routes from {@code routes/*.camel.yaml}, the properties of
 * the pool's configuration and the beans of {@link PoolPairBeans}, bound by {@link PoolPairConfiguration}.
 */
public final class PoolPairRuntime implements AutoCloseable {

    private final PoolConfig config;
    private final Store store;
    private final Main main;
    private final LockedStore opened;
    private ProducerTemplate template;

    private PoolPairRuntime(PoolConfig config, LockedStore opened, Main main) {
        this.config = config;
        this.store = opened.store();
        this.main = main;
        this.opened = opened;
    }

    /** Opens the store (creating poolpair's tables and triggers) and prepares camel-main; nothing runs yet. */
    public static PoolPairRuntime create(PoolConfig config) {
        LocalFolders.prepare(config);
        LockedStore opened = LockedStore.open(config);
        try {
            Main main = new Main();
            main.setInitialProperties(PeerShare.camelProperties(config));
            // the same configuration class a plain camel-main application names in camel.main.configuration-classes
            main.configure().addConfiguration(new PoolPairConfiguration(config, opened));
            CrashPoint.installIfRequested(main);
            return new PoolPairRuntime(config, opened, main);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** True when a runtime of this pool runs on this host (a service, or a command's in-process runtime). */
    public static boolean runsHere(PoolConfig config) {
        return InstanceLock.heldByAnother(config);
    }

    /** Starts the routes and returns. */
    public PoolPairRuntime start() {
        try {
            main.start(); // binds the beans (PoolPairConfiguration), then starts the routes
        } catch (RuntimeException e) {
            close(); // the store and the instance lock do not outlive a start that failed
            throw e;
        }
        return this;
    }

    /** Runs until the JVM is asked to stop (Ctrl+C, SIGTERM). */
    public void runUntilStopped() throws Exception {
        try {
            main.run();
        } finally {
            opened.close();
        }
    }

    /** Runs one export cycle over every module now and returns when it is done. */
    public void syncNow() {
        syncNow(null);
    }

    /** Runs one export cycle of {@code module} (null or {@code All}: every module) now. */
    public void syncNow(String module) {
        template().sendBody("direct:sync", module);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public PoolConfig config() {
        return config;
    }

    public Store store() {
        return store;
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = context().createProducerTemplate();
        }
        return template;
    }

    @Override
    public void close() {
        try {
            if (template != null) {
                template.stop();
            }
            main.stop();
        } finally {
            opened.close();
        }
    }
}
