package io.poolpair.store.postgresql;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.store.BulkEntry;
import io.poolpair.store.Column;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;

/**
 * An entry's rows streamed with {@code COPY ... FROM STDIN} (text format) into a temporary table of the entry's columns
 * (dropped after it, and {@code ON COMMIT DROP} should a failure end the transaction first), then applied by one {@code INSERT ... SELECT ... ON CONFLICT DO UPDATE} or one
 * {@code DELETE ... USING}. Rows are sent in chunks of about {@value #CHUNK_CHARS} characters, so an entry's memory
 * stays bounded and no COPY is open while the caller runs other statements between rows. Each value is first
 * converted as the prepared path converts it ({@link ValueCodec#toJdbc}), then written as PostgreSQL's text input of
 * its column type; a type or value without an exact text form here (arrays, time with time zone, years outside
 * 1-9999, sub-microsecond times, text holding NUL) refuses the row, and the caller applies it with statements.
 */
final class CopyEntry implements BulkEntry {

    private static final int CHUNK_CHARS = 1 << 20;
    private static final String ORD = "pp_bulk_ord";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Connection conn;
    private final PostgresDialect dialect;
    private final TableInfo table;
    private final boolean upsert;
    private final String temp = "pp_bulk";
    private final StringBuilder chunk = new StringBuilder();
    private final StringBuilder key = new StringBuilder();
    private final Set<String> keys = new HashSet<>();
    private List<Column> columns;
    private boolean[] isKey;
    private boolean repeated;
    private boolean created;
    private long taken;

    CopyEntry(Connection conn, PostgresDialect dialect, TableInfo table, boolean upsert) {
        this.conn = conn;
        this.dialect = dialect;
        this.table = table;
        this.upsert = upsert;
    }

    @Override
    public boolean add(List<Column> rowColumns, List<JsonNode> values) throws SQLException {
        if (columns == null) {
            if (!rowColumns.containsAll(table.primaryKey())) {
                return false;
            }
            columns = List.copyOf(rowColumns);
            isKey = new boolean[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                isKey[i] = table.primaryKey().contains(columns.get(i));
            }
        } else if (!columns.equals(rowColumns)) {
            return false;
        }
        int mark = chunk.length();
        key.setLength(0);
        chunk.append(taken);
        for (int i = 0; i < columns.size(); i++) {
            chunk.append('\t');
            int start = chunk.length();
            if (!encode(chunk, ValueCodec.toJdbc(values.get(i), columns.get(i)), columns.get(i))) {
                chunk.setLength(mark);
                return false;
            }
            if (upsert && isKey[i]) {
                key.append(chunk, start, chunk.length()).append('\t');
            }
        }
        chunk.append('\n');
        taken++;
        if (upsert && !keys.add(key.toString())) {
            repeated = true;
        }
        if (chunk.length() >= CHUNK_CHARS) {
            copy();
        }
        return true;
    }

    @Override
    public void finish() throws SQLException {
        if (taken == 0) {
            return;
        }
        copy();
        try (Statement st = conn.createStatement()) {
            st.executeUpdate(upsert ? upsertSql() : deleteSql());
            st.execute("DROP TABLE " + temp); // the next entry of the transaction makes its own
        }
    }

    private void copy() throws SQLException {
        if (chunk.length() == 0) {
            return;
        }
        if (!created) {
            try (Statement st = conn.createStatement()) {
                st.execute("CREATE TEMPORARY TABLE " + temp + " ON COMMIT DROP AS SELECT 0::int8 AS " + ORD + ", "
                        + dialect.columnList(columns) + " FROM " + dialect.qualified(table) + " WITH NO DATA");
            }
            created = true;
        }
        try {
            conn.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + temp + " (" + ORD + ", "
                    + dialect.columnList(columns) + ") FROM STDIN", new StringReader(chunk.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY into a temporary table of " + table.name() + " failed: " + e.getMessage(), e);
        }
        chunk.setLength(0);
    }

    /** One key taken twice would make ON CONFLICT fail ("cannot affect row a second time"): then its last row counts. */
    private String upsertSql() {
        String list = dialect.columnList(columns);
        String keyList = dialect.columnList(table.primaryKey());
        String source = repeated
                ? "(SELECT DISTINCT ON (" + keyList + ") " + list + " FROM " + temp + " ORDER BY " + keyList + ", " + ORD
                        + " DESC) AS s"
                : temp;
        return "INSERT INTO " + dialect.qualified(table) + " (" + list + ") SELECT " + list + " FROM " + source + " "
                + dialect.onConflict(table, columns);
    }

    private String deleteSql() {
        return "DELETE FROM " + dialect.qualified(table) + " AS t USING " + temp + " AS s WHERE " + table.primaryKey().stream()
                .map(c -> "t." + dialect.quote(c.name()) + " = s." + dialect.quote(c.name()))
                .collect(Collectors.joining(" AND "));
    }

    /** Appends {@code v} as COPY text input for {@code column}; false when it has no exact form here. */
    static boolean encode(StringBuilder out, Object v, Column column) {
        if (v == null) {
            out.append("\\N");
            return true;
        }
        String type = column.typeName() == null ? "" : column.typeName();
        switch (type) {
            case "bool" -> {
                if (v instanceof Boolean b) {
                    out.append(b ? 't' : 'f');
                    return true;
                }
            }
            case "int2", "int4", "int8", "smallserial", "serial", "bigserial" -> {
                if (v instanceof Integer || v instanceof Long) {
                    out.append(v);
                    return true;
                }
            }
            // Float/Double.toString is the shortest text that reads back as the same value (NaN, Infinity included)
            case "float4", "float8" -> {
                if (v instanceof Float || v instanceof Double) {
                    out.append(v);
                    return true;
                }
            }
            case "numeric" -> {
                if (v instanceof BigDecimal d) {
                    out.append(d.toPlainString());
                    return true;
                }
            }
            case "date" -> {
                if (v instanceof LocalDate d && d.getYear() >= 1 && d.getYear() <= 9999) {
                    out.append(d);
                    return true;
                }
            }
            case "time" -> {
                if (v instanceof LocalTime t && t.getNano() % 1000 == 0) {
                    out.append(TIME.format(t));
                    return true;
                }
            }
            case "timestamp" -> {
                if (v instanceof LocalDateTime t) {
                    return timestamp(out, t, "");
                }
            }
            case "timestamptz" -> {
                if (v instanceof OffsetDateTime t) {
                    return timestamp(out, t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime(), "+00");
                }
            }
            case "bytea" -> {
                if (v instanceof byte[] bytes) {
                    out.append("\\\\x");
                    for (byte b : bytes) {
                        out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                    }
                    return true;
                }
            }
            case "uuid" -> {
                if (v instanceof UUID u) {
                    out.append(u);
                    return true;
                }
            }
            default -> {
                if (v instanceof String s && (ValueCodec.isJson(column) || isText(column))) {
                    return text(out, s);
                }
            }
        }
        return false;
    }

    /** Types whose value the prepared path binds as text for the server to read with the column's input function. */
    private static boolean isText(Column column) {
        return switch (column.jdbcType()) {
            case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR,
                    Types.CLOB, Types.OTHER -> true;
            default -> false;
        };
    }

    private static boolean timestamp(StringBuilder out, LocalDateTime t, String zone) {
        if (t.getYear() < 1 || t.getYear() > 9999 || t.getNano() % 1000 != 0) {
            return false;
        }
        out.append(TIMESTAMP.format(t)).append(zone);
        return true;
    }

    /** COPY text: backslash, newline, carriage return and tab escaped; NUL has no place in PostgreSQL text. */
    private static boolean text(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u0000' -> {
                    return false;
                }
                default -> out.append(c);
            }
        }
        return true;
    }
}
