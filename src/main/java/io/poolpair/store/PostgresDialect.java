package io.poolpair.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * PostgreSQL (14 or newer): one PL/pgSQL trigger function ({@code pp_capture}), upserts as
 * {@code INSERT ... ON CONFLICT ... DO UPDATE}, capture suppressed by the transaction-local setting
 * {@code poolpair.applying}.
 */
public final class PostgresDialect implements Dialect {

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

    /**
     * The keys as a {@code jsonb} array, joined to the table by its primary key (an index lookup per key); each
     * key value is cast from its captured JSON text to the column's type, as {@code to_jsonb} wrote it.
     */
    @Override
    public Optional<String> rowsByKeysSql(TableInfo table) {
        List<Column> pk = table.primaryKey();
        StringBuilder on = new StringBuilder();
        for (int i = 0; i < pk.size(); i++) {
            on.append(i == 0 ? "" : " AND ").append("t.").append(quote(pk.get(i).name())).append(" = (k.key ->> ").append(i)
                    .append(")::").append(castType(pk.get(i)));
        }
        String columns = table.columns().stream().map(c -> "t." + quote(c.name())).collect(Collectors.joining(", "));
        return Optional.of("SELECT k.ord, " + columns + " FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS k(key, ord)"
                + " LEFT JOIN " + qualified(table) + " t ON " + on + " ORDER BY k.ord");
    }

    private String castType(Column column) {
        String type = switch (column.typeName()) {
            case "serial" -> "int4";
            case "bigserial" -> "int8";
            case "smallserial" -> "int2";
            default -> column.typeName();
        };
        return type.matches("[a-z_][a-z0-9_]*") ? type : quote(type);
    }

    @Override
    public void setApplying(Connection conn, boolean applying) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT set_config('poolpair.applying', '" + (applying ? "on" : "off") + "', true)");
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
    public void bindConverted(PreparedStatement ps, int index, Object v, Column column) throws SQLException {
        if (v instanceof String s && (column.jdbcType() == Types.OTHER || ValueCodec.isJson(column))) {
            ps.setObject(index, s, Types.OTHER);
        } else {
            Dialect.super.bindConverted(ps, index, v, column);
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
