package io.poolpair.store;

import io.poolpair.capture.H2CaptureTrigger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/** H2: Java triggers, MERGE ... KEY for upserts, a session variable to suppress capture. */
public final class H2Dialect implements Dialect {

    @Override
    public String sqlFolder() {
        return "h2";
    }

    @Override
    public String upsertSql(TableInfo table, List<Column> columns) {
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        return "MERGE INTO " + qualified(table) + " (" + columnList(columns) + ") KEY (" + columnList(table.primaryKey())
                + ") VALUES (" + marks + ")";
    }

    /** H2 reads a string bound to a JSON column as a JSON string; the text as bytes is read as JSON. */
    @Override
    public void bindConverted(PreparedStatement ps, int index, Object v, Column column) throws SQLException {
        if (v instanceof String s && ValueCodec.isJson(column)) {
            ps.setBytes(index, s.getBytes(StandardCharsets.UTF_8));
        } else {
            Dialect.super.bindConverted(ps, index, v, column);
        }
    }

    @Override
    public void setApplying(Connection conn, boolean applying) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(applying ? "SET @" + H2CaptureTrigger.APPLYING_VARIABLE + " = TRUE"
                    : "SET @" + H2CaptureTrigger.APPLYING_VARIABLE + " = NULL");
        }
    }

    @Override
    public java.util.List<String> uninstallStatements(Connection conn) throws SQLException {
        java.util.List<String> statements = new java.util.ArrayList<>();
        try (Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT TRIGGER_SCHEMA, TRIGGER_NAME FROM INFORMATION_SCHEMA.TRIGGERS WHERE UPPER(TRIGGER_NAME) LIKE 'PP\\_CAPTURE\\_%'"
                        + " ORDER BY 1, 2")) {
            while (rs.next()) {
                statements.add("DROP TRIGGER IF EXISTS " + quote(rs.getString(1)) + "." + quote(rs.getString(2)));
            }
        }
        try (Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = SCHEMA()"
                        + " AND UPPER(TABLE_NAME) LIKE 'PP\\_%' AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1, 2")) {
            while (rs.next()) {
                statements.add("DROP TABLE IF EXISTS " + quote(rs.getString(1)) + "." + quote(rs.getString(2)) + " CASCADE");
            }
        }
        return statements;
    }

    @Override
    public int keysPerProbe() {
        return 1;
    }

    @Override
    public void installCapture(Connection conn, TableInfo table) throws SQLException {
        String trigger = quote("PP_CAPTURE_" + table.dbName().toUpperCase());
        String schemaPrefix = table.schema() == null ? "" : quote(table.schema()) + ".";
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TRIGGER IF NOT EXISTS " + schemaPrefix + trigger + " AFTER INSERT, UPDATE, DELETE ON "
                    + qualified(table) + " FOR EACH ROW CALL '" + H2CaptureTrigger.class.getName() + "'");
        }
    }
}
