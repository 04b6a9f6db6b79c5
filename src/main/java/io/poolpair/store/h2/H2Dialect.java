package io.poolpair.store.h2;

import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** H2: Java triggers, MERGE ... KEY for upserts, a session variable to suppress capture. */
public final class H2Dialect implements Dialect {

    private static final Logger LOG = LoggerFactory.getLogger(H2Dialect.class);

    @Override
    public String urlPrefix() {
        return "jdbc:h2:";
    }

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

    /**
     * Creates the table's capture trigger, or replaces one that names another class: a store prepared by a version
     * whose trigger class lived elsewhere ({@code io.poolpair.capture.H2CaptureTrigger}, before the package re-cut of issue #16) names a
     * class that no longer exists, and H2 would refuse every write to the table. The replacement runs with the
     * database in exclusive mode, so no other connection writes to the table between the drop and the create (that
     * write would not be captured).
     */
    @Override
    public void installCapture(Connection conn, TableInfo table) throws SQLException {
        String name = "PP_CAPTURE_" + table.dbName().toUpperCase();
        String trigger = quote(name);
        String schemaPrefix = table.schema() == null ? "" : quote(table.schema()) + ".";
        String create = "CREATE TRIGGER IF NOT EXISTS " + schemaPrefix + trigger + " AFTER INSERT, UPDATE, DELETE ON "
                + qualified(table) + " FOR EACH ROW CALL '" + H2CaptureTrigger.class.getName() + "'";
        String existing = triggerClass(conn, table.schema(), name);
        try (Statement st = conn.createStatement()) {
            if (existing == null || existing.equals(H2CaptureTrigger.class.getName())) {
                st.execute(create);
                return;
            }
            st.execute("SET EXCLUSIVE 1");
            try {
                st.execute("DROP TRIGGER IF EXISTS " + schemaPrefix + trigger);
                st.execute(create);
            } finally {
                st.execute("SET EXCLUSIVE 0");
            }
        }
        LOG.info("capture trigger {} of table {} called {}; replaced by one calling {}", name, table.name(), existing,
                H2CaptureTrigger.class.getName());
    }

    /** The class the named trigger calls, or null when there is no such trigger. */
    private static String triggerClass(Connection conn, String schema, String trigger) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT JAVA_CLASS FROM INFORMATION_SCHEMA.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA = COALESCE(?, SCHEMA()) AND TRIGGER_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, trigger);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
