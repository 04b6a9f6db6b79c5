package io.poolpair.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;

/** Connection pools to the pool's database: the service's own, and a small one for commands such as status. */
public final class StoreConnection {

    private StoreConnection() {
    }

    /** A two-connection pool that changes nothing in the store. */
    public static HikariDataSource open(PoolConfig config) {
        return open(config, 2, "poolpair-status-" + config.pool(), 5_000);
    }

    /**
     * @param waitMillis how long to keep trying to connect: the service waits out a database that is still
     *     starting, or an embedded H2 file whose lock a killed process left behind
     */
    static HikariDataSource open(PoolConfig config, int size, String name, long waitMillis) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.datasourceUrl());
        hc.setUsername(config.datasourceUsername());
        hc.setPassword(config.datasourcePassword());
        hc.setMaximumPoolSize(size);
        hc.setPoolName(name);
        hc.setInitializationFailTimeout(waitMillis);
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new ConfigException("cannot connect to poolpair.datasource.url = " + config.datasourceUrl() + ": "
                    + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
