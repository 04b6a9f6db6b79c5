package io.poolpair.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** What differs between the databases poolpair runs on. Chosen by {@code poolpair.datasource.url} alone. */
public interface Dialect {

    /**
     * The dialect of the database {@code url} names. The dialects (store/h2, store/postgresql) are found with
     * {@link ServiceLoader} ({@code META-INF/services/io.poolpair.store.Dialect}), so this package does not import
     * the packages below it that implement it.
     */
    static Dialect forUrl(String url) {
        List<String> supported = new java.util.ArrayList<>();
        for (Dialect dialect : ServiceLoader.load(Dialect.class, Dialect.class.getClassLoader())) {
            if (url.startsWith(dialect.urlPrefix())) {
                return dialect;
            }
            supported.add(dialect.urlPrefix());
        }
        throw new io.poolpair.config.ConfigException("poolpair.datasource.url = " + url
                + ": unsupported database (supported: " + String.join(", ", supported) + ")");
    }

    /** How a JDBC URL of this database begins ({@code jdbc:h2:}). */
    String urlPrefix();

    /** Folder under {@code config/sql/} holding this database's SQL. */
    String sqlFolder();

    default String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    default String qualified(TableInfo table) {
        return table.schema() == null ? quote(table.dbName()) : quote(table.schema()) + "." + quote(table.dbName());
    }

    default String columnList(List<Column> columns) {
        return columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    }

    default String keyCondition(TableInfo table) {
        return table.primaryKey().stream().map(c -> quote(c.name()) + " = ?").collect(Collectors.joining(" AND "));
    }

    /**
     * SQL reading the rows of many keys in one statement, when the database has a form for it: parameter 1 is a
     * JSON array of keys (each a JSON array of key values, as captured in {@code pp_change.pk}); the result is
     * the key's 1-based position in that array, then the table's columns in order (all NULL when the row is
     * gone), ordered by position. Empty: rows are read key by key.
     */
    default java.util.Optional<String> rowsByKeysSql(TableInfo table) {
        return java.util.Optional.empty();
    }

    /** Insert-or-update of one row by primary key, binding {@code columns} in order. */
    String upsertSql(TableInfo table, List<Column> columns);

    /**
     * A bulk form of an entry's upserts ({@code upsert}) or deletes, when the database has one faster than batched
     * statements; one at a time per connection. Empty (the default): batched statements.
     */
    default java.util.Optional<BulkEntry> bulkEntry(Connection conn, TableInfo table, boolean upsert)
            throws SQLException {
        return java.util.Optional.empty();
    }

    /** Marks (or unmarks) the connection as applying an import, so the capture triggers stay silent. */
    void setApplying(Connection conn, boolean applying) throws SQLException;

    /**
     * Holds the applications' writes to {@code tables} off until the applying transaction ends (readers go on): a
     * restore reads which keys the pool changed itself before it writes the snapshot's rows, and a row an application
     * updates in between would be overwritten. The default does nothing: H2 has no table lock, so there a write made
     * during the apply of a restore can lose to the snapshot's row (the sweep at the end reads the changed keys again
     * and does not delete such a row on either database).
     */
    default void holdWritersOff(Connection conn, List<TableInfo> tables) throws SQLException {
    }

    /** Binds a value from a batch to a parameter, converted by the type of the receiving column. */
    default void bind(PreparedStatement ps, int index, JsonNode value, Column column) throws SQLException {
        bindConverted(ps, index, ValueCodec.toJdbc(value, column), column);
    }

    /** Binds a value already converted by {@link ValueCodec#toJdbc}. */
    default void bindConverted(PreparedStatement ps, int index, Object v, Column column) throws SQLException {
        if (v == null) {
            ps.setNull(index, column.jdbcType());
        } else {
            ps.setObject(index, v);
        }
    }

    /**
     * Serialises start-up preparation (poolpair's tables, capture triggers) between instances of one pool that
     * start at once against the same database; released by {@link #endSetup}.
     */
    default void beginSetup(Connection conn) throws SQLException {
    }

    default void endSetup(Connection conn) throws SQLException {
    }

    /**
     * The statements that remove everything poolpair created in this database (capture triggers and functions, the
     * {@code pp_*} tables), found in the catalog rather than from the configuration, so tables since dropped from a
     * module are cleaned too. The application's tables and rows stay.
     */
    java.util.List<String> uninstallStatements(Connection conn) throws SQLException;

    /**
     * Keys per {@code pk IN (...)} lookup of an indexed key column: PostgreSQL seeks the index for a long list; H2
     * scans the whole index range for a list (measured: 1 s a probe of 500 keys over 200,000 rows), but seeks it for one.
     */
    default int keysPerProbe() {
        return 500;
    }

    /**
     * Installs the capture trigger on a table in the caller's transaction (committed by the caller before the next
     * table); does nothing when it is already there as this version installs it.
     */
    void installCapture(Connection conn, TableInfo table) throws SQLException;
}
