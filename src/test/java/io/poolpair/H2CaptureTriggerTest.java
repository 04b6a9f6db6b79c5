package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.poolpair.store.SqlScript;
import io.poolpair.store.ValueCodec;
import io.poolpair.store.h2.H2CaptureTrigger;
import io.poolpair.store.h2.H2Dialect;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 capture trigger on a real H2 file database prepared by poolpair's own table script: the key text it stores
 * is what {@link ValueCodec#writeObject} writes for the same values, every write of every session is captured in
 * that session's transaction, and a session that applies an import captures nothing.
 */
class H2CaptureTriggerTest {

    private static final JsonFactory JSON = new JsonFactory();

    @TempDir
    Path dir;

    private String url;

    @BeforeEach
    void prepareStore() throws SQLException {
        url = "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0";
        try (Connection conn = connect(); Statement st = conn.createStatement()) {
            SqlScript.run(conn, Path.of("config/sql/h2/poolpair-tables.sql"));
            st.execute("CREATE TABLE all_types (i INT, b BIGINT, s SMALLINT, t TINYINT, v VARCHAR(100), u UUID,"
                    + " f BOOLEAN, d DATE, ts TIMESTAMP, tm TIME, tz TIMESTAMP WITH TIME ZONE, bin VARBINARY(20),"
                    + " dec DECIMAL(20, 4), label VARCHAR(20),"
                    + " PRIMARY KEY (i, b, s, t, v, u, f, d, ts, tm, tz, bin, dec))");
            st.execute("CREATE TABLE direct_types (i INT, b BIGINT, s SMALLINT, t TINYINT, v VARCHAR(100), u UUID,"
                    + " f BOOLEAN, label VARCHAR(20), PRIMARY KEY (i, b, s, t, v, u, f))");
            st.execute("CREATE TABLE text_keyed (k VARCHAR(1000) PRIMARY KEY, label VARCHAR(20))");
            st.execute("CREATE TABLE int_keyed (k INT PRIMARY KEY, label VARCHAR(20))");
            for (String table : List.of("all_types", "direct_types", "text_keyed", "int_keyed")) {
                st.execute("INSERT INTO pp_capture (db_table_name, table_name, module) VALUES ('" + table.toUpperCase()
                        + "', '" + table + "', 'Test.Keys')");
                st.execute("CREATE TRIGGER pp_capture_" + table + " AFTER INSERT, UPDATE, DELETE ON " + table
                        + " FOR EACH ROW CALL '" + H2CaptureTrigger.class.getName() + "'");
            }
        }
    }

    @Test
    void keyTextOfEveryKeyTypeIsWhatValueCodecWritesForTheSameValues() throws Exception {
        try (Connection conn = connect(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO all_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x')")) {
            bindAllTypes(ps, Integer.MIN_VALUE, Long.MAX_VALUE, (short) -7, (byte) 127, "plain", true,
                    LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 12, 31, 23, 59, 59, 123_456_789), LocalTime.of(0, 0),
                    OffsetDateTime.of(2024, 1, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)), new byte[] {0, (byte) 0xff, 0x7f},
                    new BigDecimal("-12345678.9000"));
            bindAllTypes(ps, 0, -1, (short) 0, (byte) -128, "quote \" backslash \\ slash / tab \t nul \u0000 del \u007f",
                    false, LocalDate.of(1900, 1, 1), LocalDateTime.of(1970, 1, 1, 0, 0), LocalTime.of(23, 59, 59, 500_000_000),
                    OffsetDateTime.of(2000, 6, 30, 0, 0, 0, 1000, ZoneOffset.ofHours(-11)), new byte[0], new BigDecimal("1E+3"));
            bindAllTypes(ps, 42, 1L << 40, Short.MAX_VALUE, (byte) 0, "unicode é ü 中文 \u2028 \ud83d\ude00", true,
                    LocalDate.of(9999, 12, 31), LocalDateTime.of(2024, 3, 1, 1, 2, 3), LocalTime.of(12, 30, 0, 1),
                    OffsetDateTime.of(2024, 3, 31, 2, 30, 0, 0, ZoneOffset.UTC), new byte[] {1, 2, 3, 4, 5, 6, 7},
                    new BigDecimal("0.0001"));
            ps.executeBatch();
            conn.createStatement().executeUpdate("UPDATE all_types SET label = 'y'");
        }
        List<String> expected = new ArrayList<>();
        try (Connection conn = connect(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT i, b, s, t, v, u, f, d, ts, tm, tz, bin, dec FROM all_types")) {
            while (rs.next()) {
                Object[] key = new Object[13];
                for (int c = 0; c < key.length; c++) {
                    key[c] = rs.getObject(c + 1);
                }
                expected.add("I " + codecKey(key));
                expected.add("U " + codecKey(key));
            }
        }
        assertEquals(sorted(expected), captured("all_types"));
    }

    /** Keys of whole numbers, text, UUID and booleans only: the trigger writes them itself, not through ValueCodec. */
    @Test
    void keyTextOfNumbersTextUuidAndBooleansIsWhatValueCodecWritesForTheSameValues() throws Exception {
        Object[][] keys = {
            {Integer.MIN_VALUE, Long.MAX_VALUE, (short) -7, (byte) 127, "plain", uuid("plain"), true},
            {0, -1L, Short.MAX_VALUE, (byte) -128, "quote \" backslash \\ / tab \t nul \u0000 del \u007f", uuid("q"), false},
            {42, 1L << 40, (short) 0, (byte) 0, "unicode é ü 中文 \u2028 \ud83d\ude00", uuid("u"), true}};
        List<String> expected = new ArrayList<>();
        try (Connection conn = connect(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO direct_types VALUES (?, ?, ?, ?, ?, ?, ?, 'x')")) {
            for (Object[] key : keys) {
                for (int c = 0; c < key.length; c++) {
                    ps.setObject(c + 1, key[c]);
                }
                ps.addBatch();
                expected.add("I " + codecKey(key));
            }
            ps.executeBatch();
            conn.createStatement().executeUpdate("DELETE FROM direct_types WHERE i = 0");
            expected.add("D " + codecKey(keys[1]));
        }
        assertEquals(sorted(expected), captured("direct_types"));
    }

    @Test
    void textKeysWithEveryCharacterAreCapturedAsValueCodecWritesThem() throws Exception {
        StringBuilder all = new StringBuilder();
        for (int c = 0; c <= 0xFFFF; c++) {
            if (!Character.isSurrogate((char) c)) {
                all.append((char) c);
            }
        }
        all.append("\ud83d\ude00\ud800\udc00\udbff\udfff");
        List<String> expected = new ArrayList<>();
        try (Connection conn = connect(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO text_keyed (k, label) VALUES (?, 'x')")) {
            for (int start = 0; start < all.length(); start += 400) {
                String key = all.substring(start, Math.min(all.length(), start + 400));
                ps.setString(1, key);
                ps.addBatch();
                expected.add("I " + codecKey(key));
            }
            ps.executeBatch();
        }
        assertEquals(sorted(expected), captured("text_keyed"));
    }

    @Test
    void twoSessionsWritingAtOnceHaveEveryCommittedWriteCapturedWithItsKey() throws Exception {
        int writes = 3000;
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int first = w * writes;
                writers.add(executor.submit(() -> {
                    try (Connection conn = connect(); PreparedStatement ps = conn.prepareStatement(
                            "INSERT INTO int_keyed (k, label) VALUES (?, 'x')")) {
                        conn.setAutoCommit(false);
                        for (int k = first; k < first + writes; k++) {
                            ps.setInt(1, k);
                            ps.executeUpdate();
                            if (k % 100 == 99) {
                                conn.commit();
                            }
                        }
                        conn.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(120, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < 2 * writes; k++) {
            expected.add("I [" + k + "]");
        }
        assertEquals(sorted(expected), captured("int_keyed"));
    }

    @Test
    void oneThreadWritingThroughTwoSessionsCapturesEachWriteInItsOwnSessionsTransaction() throws Exception {
        try (Connection first = connect(); Connection second = connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            insertInt(first, 1);
            insertInt(second, 2);
            insertInt(first, 3);
            second.rollback();
            first.commit();
        }
        assertEquals(List.of("I [1]", "I [3]"), captured("int_keyed"));
    }

    @Test
    void aSessionApplyingAnImportCapturesNothingAndCapturesAgainAfterwards() throws Exception {
        H2Dialect dialect = new H2Dialect();
        try (Connection applying = connect(); Connection writer = connect()) {
            insertInt(applying, 1);
            dialect.setApplying(applying, true);
            insertInt(applying, 2);
            insertInt(writer, 3);
            try (Statement st = applying.createStatement()) {
                st.executeUpdate("UPDATE int_keyed SET label = 'applied' WHERE k = 1");
                st.executeUpdate("DELETE FROM int_keyed WHERE k = 3");
            }
            dialect.setApplying(applying, false);
            insertInt(applying, 4);
        }
        assertEquals(List.of("I [1]", "I [3]", "I [4]"), captured("int_keyed"));
    }

    private static void bindAllTypes(PreparedStatement ps, int i, long b, short s, byte t, String v, boolean f, LocalDate d,
                                     LocalDateTime ts, LocalTime tm, OffsetDateTime tz, byte[] bin, BigDecimal dec)
            throws SQLException {
        ps.setInt(1, i);
        ps.setLong(2, b);
        ps.setShort(3, s);
        ps.setByte(4, t);
        ps.setString(5, v);
        ps.setObject(6, UUID.nameUUIDFromBytes(v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ps.setBoolean(7, f);
        ps.setObject(8, d);
        ps.setObject(9, ts);
        ps.setObject(10, tm);
        ps.setObject(11, tz);
        ps.setBytes(12, bin);
        ps.setBigDecimal(13, dec);
        ps.addBatch();
    }

    private static UUID uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void insertInt(Connection conn, int k) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO int_keyed (k, label) VALUES (?, 'x')")) {
            ps.setInt(1, k);
            ps.executeUpdate();
        }
    }

    private static String codecKey(Object... values) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartArray();
            for (Object value : values) {
                ValueCodec.writeObject(gen, value);
            }
            gen.writeEndArray();
        }
        return out.toString();
    }

    /** "op pk" of every captured change of the table, sorted. */
    private List<String> captured(String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection conn = connect(); PreparedStatement ps = conn.prepareStatement(
                "SELECT op, pk FROM pp_change WHERE table_name = ? AND module = 'Test.Keys'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return sorted(rows);
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }
}
