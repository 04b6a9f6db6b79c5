package io.poolpair.store.postgresql;

import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * PostgreSQL (14 or newer): a PL/pgSQL trigger function per replicated table ({@code pp_capture_<table>}) called once
 * per statement with the statement's transition tables, upserts as
 * {@code INSERT ... ON CONFLICT ... DO UPDATE}, capture suppressed by the transaction-local setting
 * {@code poolpair.applying}.
 */
public final class PostgresDialect implements Dialect {

    /** Advisory lock key of start-up preparation ("poolpair" in ASCII). */
    private static final long SETUP_LOCK = 0x706f6f6c70616972L;

    @Override
    public String urlPrefix() {
        return "jdbc:postgresql:";
    }

    @Override
    public String sqlFolder() {
        return "postgresql";
    }

    @Override
    public String upsertSql(TableInfo table, List<Column> columns) {
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified(table) + " (" + columnList(columns) + ") VALUES (" + marks + ") "
                + onConflict(table, columns);
    }

    /** What an upsert of {@code columns} does on a row whose key exists: sets its other columns (or nothing). */
    String onConflict(TableInfo table, List<Column> columns) {
        List<Column> updated = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
        return "ON CONFLICT (" + columnList(table.primaryKey()) + ") " + (updated.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + updated.stream().map(c -> quote(c.name()) + " = EXCLUDED." + quote(c.name()))
                        .collect(Collectors.joining(", ")));
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
            on.append(i == 0 ? "" : " AND ").append("t.").append(quote(pk.get(i).name())).append(" = ");
            if (isBytea(pk.get(i))) {
                on.append("decode(k.key ->> ").append(i).append(", 'base64')");
            } else {
                on.append("(k.key ->> ").append(i).append(")::").append(castType(pk.get(i)));
            }
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

    /** COPY into a temporary table, then one set-based statement ({@link CopyEntry}). */
    @Override
    public Optional<io.poolpair.store.BulkEntry> bulkEntry(Connection conn, TableInfo table, boolean upsert) {
        return Optional.of(new CopyEntry(conn, this, table, upsert));
    }

    @Override
    public void setApplying(Connection conn, boolean applying) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT set_config('poolpair.applying', '" + (applying ? "on" : "off") + "', true)");
        }
    }

    @Override
    public void holdWritersOff(Connection conn, List<TableInfo> tables) throws SQLException {
        if (tables.isEmpty()) {
            return;
        }
        StringBuilder lock = new StringBuilder("LOCK TABLE ");
        for (int i = 0; i < tables.size(); i++) {
            lock.append(i == 0 ? "" : ", ").append(qualified(tables.get(i)));
        }
        try (Statement st = conn.createStatement()) {
            st.execute(lock + " IN SHARE ROW EXCLUSIVE MODE");
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
    public List<String> uninstallStatements(Connection conn) throws SQLException {
        List<String> statements = new ArrayList<>();
        collect(conn, statements, "SELECT 'DROP TRIGGER IF EXISTS ' || quote_ident(t.tgname) || ' ON ' || t.tgrelid::regclass"
                + " FROM pg_trigger t WHERE NOT t.tgisinternal AND (t.tgname LIKE 'pp\\_capture\\_%' OR t.tgname LIKE"
                + " 'pp\\_refuse\\_truncate\\_%') ORDER BY 1");
        collect(conn, statements, "SELECT 'DROP FUNCTION IF EXISTS ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = ANY (current_schemas(false)) AND p.proname LIKE 'pp\\_%'"
                + " AND p.prorettype = 'trigger'::regtype ORDER BY 1");
        collect(conn, statements, "SELECT 'DROP TABLE IF EXISTS ' || quote_ident(table_schema) || '.' || quote_ident(table_name)"
                + " || ' CASCADE' FROM information_schema.tables WHERE table_schema = ANY (current_schemas(false))"
                + " AND table_name LIKE 'pp\\_%' AND table_type = 'BASE TABLE' ORDER BY 1");
        return statements;
    }

    private static void collect(Connection conn, List<String> into, String query) throws SQLException {
        try (Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                into.add(rs.getString(1));
            }
        }
    }

    /** Statement-level capture triggers, installed or left as they are ({@link PostgresCapture}). */
    @Override
    public void installCapture(Connection conn, TableInfo table) throws SQLException {
        new PostgresCapture(this, table).install(conn);
    }

    static boolean isBytea(Column column) {
        return "bytea".equals(column.typeName());
    }

    @Override
    public void bindConverted(PreparedStatement ps, int index, Object v, Column column) throws SQLException {
        if (v instanceof String s && (column.jdbcType() == Types.OTHER || ValueCodec.isJson(column))) {
            ps.setObject(index, s, Types.OTHER);
        } else {
            Dialect.super.bindConverted(ps, index, v, column);
        }
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
