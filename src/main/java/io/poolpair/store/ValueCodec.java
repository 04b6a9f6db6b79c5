package io.poolpair.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.temporal.TemporalAccessor;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Converts column values between JDBC and the database-neutral JSON of a batch. Exact decimals travel as
 * strings (scale kept), binary as base64, dates and times as ISO-8601 text; the receiving pool converts by
 * the type of its own column, never by anything the file claims.
 */
public final class ValueCodec {

    private ValueCodec() {
    }

    /** Writes the value of column {@code index} of the current row. */
    public static void write(JsonGenerator gen, ResultSet rs, int index, Column column) throws SQLException, IOException {
        if (isUuid(column) || isJson(column)) {
            writeText(gen, rs.getString(index));
            return;
        }
        switch (jdbcType(column)) {
            case Types.BOOLEAN, Types.BIT -> {
                boolean v = rs.getBoolean(index);
                if (rs.wasNull()) {
                    gen.writeNull();
                } else {
                    gen.writeBoolean(v);
                }
            }
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                long v = rs.getLong(index);
                if (rs.wasNull()) {
                    gen.writeNull();
                } else {
                    gen.writeNumber(v);
                }
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
                double v = column.jdbcType() == Types.REAL ? rs.getFloat(index) : rs.getDouble(index);
                if (rs.wasNull()) {
                    gen.writeNull();
                } else if (Double.isFinite(v)) {
                    if (column.jdbcType() == Types.REAL) {
                        gen.writeNumber((float) v);
                    } else {
                        gen.writeNumber(v);
                    }
                } else {
                    gen.writeString(Double.toString(v));
                }
            }
            case Types.DECIMAL, Types.NUMERIC -> writeText(gen, decimal(rs.getBigDecimal(index)));
            case Types.DATE -> writeText(gen, iso(rs.getObject(index, LocalDate.class)));
            case Types.TIME -> writeText(gen, iso(rs.getObject(index, LocalTime.class)));
            case Types.TIME_WITH_TIMEZONE -> writeText(gen, iso(rs.getObject(index, OffsetTime.class)));
            case Types.TIMESTAMP -> writeText(gen, iso(rs.getObject(index, LocalDateTime.class)));
            case Types.TIMESTAMP_WITH_TIMEZONE -> {
                OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
                writeText(gen, t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toString());
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] v = rs.getBytes(index);
                writeText(gen, v == null ? null : Base64.getEncoder().encodeToString(v));
            }
            default -> writeText(gen, rs.getString(index));
        }
    }

    /** Converts a JSON value to the Java object bound for the receiving column. */
    public static Object toJdbc(JsonNode node, Column column) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText();
        try {
            if (isUuid(column)) {
                return UUID.fromString(text);
            }
            if (isJson(column)) {
                return node.isTextual() ? text : node.toString();
            }
            return switch (jdbcType(column)) {
                case Types.BOOLEAN, Types.BIT -> {
                    if (node.isBoolean()) {
                        yield node.booleanValue();
                    }
                    if (!text.equals("true") && !text.equals("false")) {
                        throw new IllegalArgumentException("not a boolean");
                    }
                    yield Boolean.parseBoolean(text);
                }
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> Math.toIntExact(integral(node, text));
                case Types.BIGINT -> integral(node, text);
                case Types.REAL -> node.isNumber() ? node.floatValue() : Float.parseFloat(text);
                case Types.FLOAT, Types.DOUBLE -> node.isNumber() ? node.doubleValue() : Double.parseDouble(text);
                case Types.DECIMAL, Types.NUMERIC -> new BigDecimal(text);
                case Types.DATE -> LocalDate.parse(text);
                case Types.TIME -> LocalTime.parse(text);
                case Types.TIME_WITH_TIMEZONE -> OffsetTime.parse(text);
                case Types.TIMESTAMP -> LocalDateTime.parse(text);
                case Types.TIMESTAMP_WITH_TIMEZONE -> OffsetDateTime.parse(text);
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> Base64.getDecoder().decode(text);
                default -> {
                    if (node.isContainerNode()) {
                        throw new IllegalArgumentException("an object or array where text was expected");
                    }
                    yield text;
                }
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("value " + abbreviate(node.toString()) + " does not fit column "
                    + column.name() + " (" + column.typeName() + "): " + e.getMessage(), e);
        }
    }

    /** Encodes one key value as the capture trigger receives it (a plain Java object). */
    public static void writeObject(JsonGenerator gen, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            gen.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigDecimal d) {
            gen.writeString(d.toPlainString());
        } else if (value instanceof byte[] bytes) {
            gen.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof java.sql.Timestamp ts) {
            gen.writeString(ts.toLocalDateTime().toString());
        } else if (value instanceof java.sql.Date d) {
            gen.writeString(d.toLocalDate().toString());
        } else if (value instanceof java.sql.Time t) {
            gen.writeString(t.toLocalTime().toString());
        } else {
            gen.writeString(value.toString());
        }
    }

    /** A column's value in a row object: by exact name, else ignoring case (H2 upper-cases, PostgreSQL lower-cases). */
    public static JsonNode field(JsonNode row, String column) {
        JsonNode v = row.get(column);
        if (v != null) {
            return v;
        }
        for (var it = row.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.equalsIgnoreCase(column)) {
                return row.get(name);
            }
        }
        return null;
    }

    /** The JDBC type, corrected where a driver reports a zoned type as its plain one (PostgreSQL's timestamptz). */
    static int jdbcType(Column column) {
        String name = column.typeName() == null ? "" : column.typeName();
        if (name.equalsIgnoreCase("timestamptz")) {
            return Types.TIMESTAMP_WITH_TIMEZONE;
        }
        if (name.equalsIgnoreCase("timetz")) {
            return Types.TIME_WITH_TIMEZONE;
        }
        return column.jdbcType();
    }

    public static boolean isJson(Column column) {
        return column.typeName() != null && column.typeName().regionMatches(true, 0, "json", 0, 4);
    }

    public static boolean isUuid(Column column) {
        return "uuid".equalsIgnoreCase(column.typeName());
    }

    private static long integral(JsonNode node, String text) {
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            throw new IllegalArgumentException("not a whole number");
        }
        return Long.parseLong(text);
    }

    private static void writeText(JsonGenerator gen, String v) throws IOException {
        if (v == null) {
            gen.writeNull();
        } else {
            gen.writeString(v);
        }
    }

    private static String decimal(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }

    private static String iso(TemporalAccessor t) {
        return t == null ? null : t.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
