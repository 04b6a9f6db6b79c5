package io.poolpair.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Reads a replicated table whole, ordered by key, so two pools' copies can be compared value by value, also
 * across databases: every value in the database-neutral form a batch carries it in (JSON documents with
 * their keys sorted, instants in UTC).
 */
public final class StoreComparison {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private StoreComparison() {
    }

    /** Every row as column name (lower case) → canonical value. */
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
                    row.put(c.name().toLowerCase(), canonical(rs, i + 1, c));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String canonical(ResultSet rs, int index, Column column) throws SQLException {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = MAPPER.createGenerator(out)) {
            ValueCodec.write(gen, rs, index, column);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = out.toString();
        if (ValueCodec.isJson(column) && !value.equals("null")) {
            try {
                Object document = MAPPER.readValue(MAPPER.readTree(value).asText(), Object.class);
                return SORTED.writeValueAsString(document);
            } catch (IOException e) {
                return value;
            }
        }
        return value;
    }

    private static String text(String canonicalJson) {
        try {
            return MAPPER.readTree(canonicalJson).asText();
        } catch (IOException e) {
            return canonicalJson;
        }
    }

    /** Rows per value of the owner column (or "(all)" without one). */
    public static Map<String, Long> rowsPerOwner(List<Map<String, String>> rows, String ownerColumn) {
        return rows.stream().collect(Collectors.groupingBy(
                r -> ownerColumn == null ? "(all)" : text(r.getOrDefault(ownerColumn.toLowerCase(), "\"?\"")), TreeMap::new,
                Collectors.counting()));
    }
}
