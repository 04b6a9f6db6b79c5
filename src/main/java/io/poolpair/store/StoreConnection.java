package io.poolpair.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;

/** Connection pools to the pool's database: the service's own, and a small one for commands such as status. */
public final class StoreConnection {

    private StoreConnection() {
    }

    /**
     * H2's AUTO_SERVER (the embedded default, so that status can read the store while the service runs) opens a
     * TCP port for the other processes of this host; H2 binds it to every interface unless the system property
     * h2.bindAddress names one. H2 reads that property once, when its classes load: set it before the first
     * connection, unless the operator set it.
     */
    static void bindH2ToLoopback() {
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
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
        config.datasourcePasswordProblem().ifPresent(problem -> {
            throw new ConfigException(problem);
        });
        if (config.datasourceUrl().startsWith("jdbc:h2:")) {
            bindH2ToLoopback();
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.datasourceUrl());
        hc.setUsername(config.datasourceUsername());
        hc.setPassword(config.datasourcePassword());
        hc.setMaximumPoolSize(size);
        hc.setPoolName(name);
        hc.setInitializationFailTimeout(waitMillis);
        if (config.datasourceUrl().startsWith("jdbc:postgresql:")) {
            // a JDBC batch of INSERT ... ON CONFLICT statements goes as multi-row INSERTs (measured faster, see
            // docs/performance.md); update counts of a batch are then unknown, which nothing here reads
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
            // every statement planned for the table as it is now: poolpair's tables change size by orders of magnitude
            // within minutes (a backlog of pp_change rows, a bulk load of a replicated table), and a generic plan cached
            // while one was small (the driver prepares a statement on the server after 5 executions) kept reading the
            // rows of a batch by key with a sequential scan of the 1,000,000-row table until the next autoanalyze:
            // 300-560 ms for 1,000 keys instead of about 10 (docs/performance.md)
            hc.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        }
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
