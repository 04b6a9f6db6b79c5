package io.poolpair.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The tables this store captures ({@code pp_capture}), registered at every start: a table added to a module that
 * already runs is recognised by its absence, and the capture triggers read which module a table belongs to.
 */
public final class CapturedTables {

    private CapturedTables() {
    }

    /** Database table name → module, as registered at the last start (empty for a store that never registered any). */
    public static Map<String, String> registered(Connection conn) throws SQLException {
        Map<String, String> registered = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT db_table_name, module FROM pp_capture");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                registered.put(rs.getString(1), rs.getString(2));
            }
        }
        return registered;
    }

    /** Registers (or re-registers) a captured table under its database name, configured name and module. */
    public static void register(Connection conn, String dbName, String name, String module) throws SQLException {
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM pp_capture WHERE db_table_name = ?");
             PreparedStatement ins = conn.prepareStatement(
                     "INSERT INTO pp_capture (db_table_name, table_name, module) VALUES (?, ?, ?)")) {
            del.setString(1, dbName);
            del.executeUpdate();
            ins.setString(1, dbName);
            ins.setString(2, name);
            ins.setString(3, module);
            ins.executeUpdate();
        }
    }
}
