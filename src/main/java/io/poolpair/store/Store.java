package io.poolpair.store;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.ConfigException;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.CapturedTables;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.state.StoreIncarnation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's database as poolpair uses it: a connection pool, the dialect, the replicated tables. Opening it
 * creates poolpair's own tables when absent and installs the capture triggers (both idempotent).
 */
public final class Store implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final TableCatalog catalog;

    private Store(HikariDataSource dataSource, Dialect dialect, TableCatalog catalog) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.catalog = catalog;
    }

    public static Store open(PoolConfig config) {
        Dialect dialect = Dialect.forUrl(config.datasourceUrl());
        HikariDataSource ds = createPool(config);
        try (Connection setup = ds.getConnection()) {
            dialect.beginSetup(setup);
            try {
                return prepare(config, dialect, ds);
            } finally {
                dialect.endSetup(setup);
            }
        } catch (SQLException e) {
            ds.close();
            throw new ConfigException("cannot prepare the store at " + config.datasourceUrl() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static Store prepare(PoolConfig config, Dialect dialect, HikariDataSource ds) throws SQLException {
        try (Connection conn = ds.getConnection()) {
            SqlScript.run(conn, config.home().resolve("config/sql/" + dialect.sqlFolder() + "/poolpair-tables.sql"));
            config.datasourceInitScript().ifPresent(script -> SqlScript.run(conn, script));
            StoreIncarnation.ensure(conn);
        }
        TableCatalog catalog = TableCatalog.read(ds, config.modules());
        try (Connection conn = ds.getConnection()) {
            conn.setAutoCommit(false);
            requestFullSyncForAddedTables(conn, config, dialect, catalog);
            for (TableInfo table : catalog.all()) {
                register(conn, table);
            }
            for (ModuleConfig module : config.modules()) {
                ensureStateRows(conn, config, dialect, catalog, module.name());
            }
            conn.commit();
            for (TableInfo table : catalog.all()) {
                dialect.installCapture(conn, table);
                conn.commit(); // a table's DDL locks it against writers until the commit: one table at a time
            }
        }
        return new Store(ds, dialect, catalog);
    }

    /**
     * A table added to a module that already runs here was never captured: the rows this pool holds in it reach
     * the peer only by a full sync of the module, asked for here (once: the table is registered right after).
     * Tables registered before, in this module, are known from {@code pp_capture}; a store without any registered
     * table (prepared by a version that did not register them) asks for nothing.
     */
    private static void requestFullSyncForAddedTables(Connection conn, PoolConfig config, Dialect dialect,
                                                      TableCatalog catalog) throws SQLException {
        java.util.Map<String, String> registered = CapturedTables.registered(conn);
        if (registered.isEmpty()) {
            return;
        }
        for (ModuleConfig module : config.modules()) {
            if (!ExportState.has(conn, module.name())) {
                continue; // a module new here: ensureStateRows decides on its initial full sync
            }
            for (TableInfo table : catalog.tables(module.name())) {
                if (!module.name().equals(registered.get(table.dbName())) && ownsRows(conn, config, dialect, table)) {
                    ExportState.requestFullSync(conn, module.name());
                    LOG.info("{}: table {} was added to the module and holds rows of {}: a full sync of the module"
                            + " sends them to {}", module.name(), table.name(), config.pool(), config.peer());
                }
            }
        }
    }

    private static boolean ownsRows(Connection conn, PoolConfig config, Dialect dialect, TableInfo table) throws SQLException {
        if (config.module(table.module()).ownedByOtherThan(config.pool())) {
            return false; // the module's rows are the peer's (owner-pool)
        }
        var owner = config.module(table.module()).ownerColumn().flatMap(table::column);
        String sql = "SELECT 1 FROM " + dialect.qualified(table)
                + owner.map(o -> " WHERE " + dialect.quote(o.name()) + " = ?").orElse("");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setMaxRows(1);
            if (owner.isPresent()) {
                ps.setString(1, config.pool());
            }
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static HikariDataSource createPool(PoolConfig config) {
        return StoreConnection.open(config, config.datasourcePoolSize(), "poolpair-" + config.pool(), 60_000);
    }

    private static void register(Connection conn, TableInfo table) throws SQLException {
        CapturedTables.register(conn, table.dbName(), table.name(), table.module());
    }

    /**
     * Creates the module's state rows on its first start. A pool that already holds rows of its own in the
     * module's tables then owes its peer a full sync (initial pairing): those rows were never captured.
     */
    private static void ensureStateRows(Connection conn, PoolConfig config, Dialect dialect, TableCatalog catalog,
                                        String module) throws SQLException {
        boolean holdsData = false;
        for (TableInfo table : catalog.tables(module)) {
            holdsData |= ownsRows(conn, config, dialect, table);
        }
        ExportState.ensure(conn, module, config.peer(), holdsData);
        ImportState.ensure(conn, config.peer(), module);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    public TableCatalog catalog() {
        return catalog;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
