package io.poolpair.demo;

import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** Reads a replicated table whole, ordered by key, so two pools' copies can be compared value by value. */
public final class StoreComparison {

    private StoreComparison() {
    }

    /** Every row as column name (lower case) → value text; binary as hex. */
    public static List<Map<String, String>> rows(DataSource ds, Dialect dialect, TableInfo table) throws SQLException {
        String order = table.primaryKey().stream().map(c -> dialect.quote(c.name())).collect(Collectors.joining(", "));
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection conn = ds.getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + dialect.columnList(table.columns()) + " FROM "
                     + dialect.qualified(table) + " ORDER BY " + order)) {
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>();
                for (int i = 0; i < table.columns().size(); i++) {
                    Column c = table.columns().get(i);
                    String v = isBinary(c) ? Arrays.toString(rs.getBytes(i + 1)) : rs.getString(i + 1);
                    row.put(c.name().toLowerCase(), String.valueOf(v));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static boolean isBinary(Column c) {
        return c.jdbcType() == Types.BINARY || c.jdbcType() == Types.VARBINARY || c.jdbcType() == Types.LONGVARBINARY
                || c.jdbcType() == Types.BLOB;
    }

    /** Rows per value of the owner column (or "(all)" without one). */
    public static Map<String, Long> rowsPerOwner(List<Map<String, String>> rows, String ownerColumn) {
        return rows.stream().collect(Collectors.groupingBy(
                r -> ownerColumn == null ? "(all)" : r.getOrDefault(ownerColumn.toLowerCase(), "?"), TreeMap::new,
                Collectors.counting()));
    }
}
