package io.poolpair.store.h2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * The key text the H2 capture trigger stores in {@code pp_change.pk}: a JSON array of the key values, byte for byte
 * what {@link ValueCodec#writeObject} writes through a Jackson generator. The common key types (whole numbers, text,
 * UUID, booleans, null) are written directly, without a generator per row; any other type makes the whole key go
 * through {@link ValueCodec#writeObject}, so their text has exactly one definition.
 */
final class KeyText {

    private static final JsonFactory JSON = new JsonFactory();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private KeyText() {
    }

    static String of(Object[] row, int[] keyIndexes) {
        for (int i : keyIndexes) {
            if (!direct(row[i])) {
                return throughCodec(row, keyIndexes);
            }
        }
        StringBuilder out = new StringBuilder(16 * keyIndexes.length + 2);
        out.append('[');
        for (int k = 0; k < keyIndexes.length; k++) {
            if (k > 0) {
                out.append(',');
            }
            Object value = row[keyIndexes[k]];
            if (value == null) {
                out.append("null");
            } else if (value instanceof String s) {
                appendString(out, s);
            } else if (value instanceof UUID u) {
                out.append('"').append(u).append('"');
            } else if (value instanceof Boolean b) {
                out.append(b.booleanValue());
            } else {
                out.append(((Number) value).longValue());
            }
        }
        return out.append(']').toString();
    }

    private static boolean direct(Object value) {
        return value == null || value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof UUID || value instanceof Boolean;
    }

    /** Jackson's default escaping for a Writer: quote, backslash and control characters; everything else as is. */
    private static void appendString(StringBuilder out, String s) {
        out.append('"');
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(s, plain, s.length()).append('"');
    }

    private static String throughCodec(Object[] row, int[] keyIndexes) {
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
}
