package io.poolpair.store.h2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.h2.api.Trigger;

/**
 * H2 capture trigger: records the key and operation of every row change of a replicated table in
 * {@code pp_change}, inside the writer's own transaction. Silent on a connection that applies an import
 * (session variable {@value #APPLYING_VARIABLE} set), so applied rows never flow back.
 */
public final class H2CaptureTrigger implements Trigger {

    public static final String APPLYING_VARIABLE = "pp_applying";
    private static final JsonFactory JSON = new JsonFactory();

    private int[] keyIndexes;
    private String tableName;
    private String module;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String dbTableName, boolean before, int type)
            throws SQLException {
        DatabaseMetaData meta = conn.getMetaData();
        Map<String, Integer> position = new HashMap<>();
        try (ResultSet rs = meta.getColumns(null, schemaName, dbTableName, null)) {
            while (rs.next()) {
                position.put(rs.getString("COLUMN_NAME"), rs.getInt("ORDINAL_POSITION") - 1);
            }
        }
        Map<Integer, Integer> keys = new TreeMap<>();
        try (ResultSet rs = meta.getPrimaryKeys(null, schemaName, dbTableName)) {
            while (rs.next()) {
                keys.put(rs.getInt("KEY_SEQ"), position.get(rs.getString("COLUMN_NAME")));
            }
        }
        keyIndexes = keys.values().stream().mapToInt(Integer::intValue).toArray();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, module FROM pp_capture WHERE db_table_name = ?")) {
            ps.setString(1, dbTableName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("table " + dbTableName + " is not registered in pp_capture");
                }
                tableName = rs.getString(1);
                module = rs.getString(2);
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow == null) {
            record(conn, key(oldRow), 'D');
        } else if (oldRow == null) {
            record(conn, key(newRow), 'I');
        } else {
            String oldKey = key(oldRow);
            String newKey = key(newRow);
            if (!oldKey.equals(newKey)) {
                record(conn, oldKey, 'D');
            }
            record(conn, newKey, 'U');
        }
    }

    /** One statement per change, the applying check included: the trigger's cost is most of the capture's. */
    private void record(Connection conn, String key, char op) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_change (module, table_name, pk, op)"
                + " SELECT ?, ?, ?, ? WHERE @" + APPLYING_VARIABLE + " IS NULL")) {
            ps.setString(1, module);
            ps.setString(2, tableName);
            ps.setString(3, key);
            ps.setString(4, String.valueOf(op));
            ps.executeUpdate();
        }
    }

    private String key(Object[] row) {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartArray();
            for (int i : keyIndexes) {
                ValueCodec.writeObject(gen, row[i]);
            }
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public void close() {
    }

    @Override
    public void remove() {
    }
}
