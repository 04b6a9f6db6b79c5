package io.poolpair.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgreSQL (14 or newer): one PL/pgSQL trigger function ({@code pp_capture}), upserts as
 * {@code INSERT ... ON CONFLICT ... DO UPDATE}, capture suppressed by the transaction-local setting
 * {@code poolpair.applying}.
 */
public final class PostgresDialect implements Dialect {

    /** Advisory lock key of start-up preparation ("poolpair" in ASCII). */
    private static final long SETUP_LOCK = 0x706f6f6c70616972L;

    @Override
    public String sqlFolder() {
        return "postgresql";
    }

    @Override
    public String upsertSql(TableInfo table, List<Column> columns) {
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        List<Column> updated = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
        String onConflict = updated.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + updated.stream().map(c -> quote(c.name()) + " = EXCLUDED." + quote(c.name()))
                        .collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified(table) + " (" + columnList(columns) + ") VALUES (" + marks + ") ON CONFLICT ("
                + columnList(table.primaryKey()) + ") " + onConflict;
    }

    @Override
    public void setApplying(Connection conn, boolean applying) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT set_config('poolpair.applying', '" + (applying ? "on" : "off") + "', true)");
        }
    }

    /** A session advisory lock of the database: one instance prepares the store at a time. */
    @Override
    public void beginSetup(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SETUP_LOCK + ")");
        }
    }

    @Override
    public void endSetup(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_unlock(" + SETUP_LOCK + ")");
        }
    }

    @Override
    public void installCapture(Connection conn, TableInfo table) throws SQLException {
        StringBuilder args = new StringBuilder(literal(table.module())).append(", ").append(literal(table.name()));
        for (Column key : table.primaryKey()) {
            args.append(", ").append(literal(key.name()));
        }
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE OR REPLACE TRIGGER " + quote("pp_capture_" + table.dbName()) + " AFTER INSERT OR UPDATE OR DELETE ON "
                    + qualified(table) + " FOR EACH ROW EXECUTE FUNCTION pp_capture(" + args + ")");
        }
    }

    @Override
    public void bind(PreparedStatement ps, int index, JsonNode value, Column column) throws SQLException {
        Object v = ValueCodec.toJdbc(value, column);
        if (v instanceof String s && (column.jdbcType() == Types.OTHER || ValueCodec.isJson(column))) {
            ps.setObject(index, s, Types.OTHER);
        } else {
            Dialect.super.bind(ps, index, value, column);
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
