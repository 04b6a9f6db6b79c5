package io.poolpair.store.h2;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.h2.api.Trigger;
import org.h2.engine.Session;
import org.h2.jdbc.JdbcConnection;

/**
 * H2 capture trigger: records the key and operation of every row change of a replicated table in
 * {@code pp_change}, inside the writer's own transaction. Silent on a connection that applies an import
 * (session variable {@value #APPLYING_VARIABLE} set), so applied rows never flow back.
 */
public final class H2CaptureTrigger implements Trigger {

    public static final String APPLYING_VARIABLE = "pp_applying";
    private int[] keyIndexes;
    private String tableName;
    private String module;
    private final ThreadLocal<SessionInsert> inserts = new ThreadLocal<>();

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

    /**
     * One insert per change, the applying check included. The insert is prepared once per session and kept for the
     * thread that fires: H2 hands each firing a new JDBC wrapper of the writer's session, runs a session on one thread
     * at a time and fires this one trigger object (one per table) from every session. A thread keeps the statement of
     * the last session it fired for, so it never uses one statement from two threads nor one of a closed session.
     */
    private void record(Connection conn, String key, char op) throws SQLException {
        PreparedStatement ps = insert(conn);
        ps.setString(1, module);
        ps.setString(2, tableName);
        ps.setString(3, key);
        ps.setString(4, op == 'I' ? "I" : op == 'U' ? "U" : "D");
        ps.executeUpdate();
    }

    private PreparedStatement insert(Connection conn) throws SQLException {
        Session session = conn.unwrap(JdbcConnection.class).getSession();
        SessionInsert last = inserts.get();
        if (last != null && last.session() == session) {
            return last.insert();
        }
        PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_change (module, table_name, pk, op)"
                + " SELECT ?, ?, ?, ? WHERE @" + APPLYING_VARIABLE + " IS NULL");
        inserts.set(new SessionInsert(session, ps));
        return ps;
    }

    private record SessionInsert(Session session, PreparedStatement insert) {
    }

    private String key(Object[] row) {
        return KeyText.of(row, keyIndexes);
    }

    @Override
    public void close() {
    }

    @Override
    public void remove() {
    }
}
