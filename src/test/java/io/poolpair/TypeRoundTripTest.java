package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.config.ConfigException;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.Column;
import io.poolpair.store.TableInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact round trip of the column types real schemas use, on H2, PostgreSQL and mixed pairs; composite keys,
 * names that need quoting, one-column updates, delete-then-reinsert in one cycle, and parent/child tables.
 */
class TypeRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPES = "Test.Types";
    private static final String FAMILY = "Test.Family";
    private static final String TEXT = "Grüße 😀 ünïcødé ".repeat(1000);
    private static final UUID ID = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static final byte[] BYTES = {0, 1, 2, (byte) 255, (byte) 254, 127, (byte) 128};

    @TempDir
    Path dir;

    private TwoPools start(String stores) throws Exception {
        StoreKind[] kinds = StoreKind.pair(stores);
        Map<String, String> modules = Map.of(
                "poolpair.modules", TYPES + ", " + FAMILY,
                "poolpair.module." + TYPES + ".tables", "type_matrix, Order",
                "poolpair.module." + FAMILY + ".tables", "parent_item, child_item",
                "poolpair.module." + TYPES + ".owner-pool", A,
                "poolpair.module." + FAMILY + ".owner-pool", A);
        return TwoPools.start(dir, modules, kinds[0].pool(A, "types"), kinds[1].pool(B, "types"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES", "POSTGRES-H2", "H2-POSTGRES"})
    void everyColumnTypeRoundTripsExactly(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            insert(pools.a, "type_matrix", fullRow());
            insert(pools.a, "type_matrix", JSON.createObjectNode().put("id", 2).put("code", "nulls"));
            insert(pools.a, "Order", JSON.createObjectNode().put("Order Id", 1L).put("Group", "g1").put("mixedCase", 7));
            pools.syncUntilSettled();
            pools.assertCopiesEqual();

            try (Connection conn = pools.b.store().dataSource().getConnection();
                 PreparedStatement ps = conn.prepareStatement("SELECT * FROM type_matrix WHERE id = 1")) {
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals((short) -32768, rs.getShort("c_smallint"));
                    assertEquals(Long.MAX_VALUE, rs.getLong("c_bigint"));
                    assertEquals("12345678901234.5678", rs.getBigDecimal("c_numeric").toPlainString());
                    assertEquals(0.1f, rs.getFloat("c_real"));
                    assertEquals(Math.PI, rs.getDouble("c_double"));
                    assertEquals(TEXT, rs.getString("c_text"));
                    assertEquals("ab   ", rs.getString("c_char"));
                    assertEquals("23:59:59.123456", rs.getObject("c_time", java.time.LocalTime.class).toString());
                    assertEquals(OffsetDateTime.parse("2026-11-26T07:06:01.123456+05:30").toInstant(),
                            rs.getObject("c_timestamptz", OffsetDateTime.class).toInstant());
                    assertEquals(ID.toString(), rs.getString("c_uuid"));
                    assertArrayEquals(BYTES, rs.getBytes("c_bytes"));
                    assertEquals(JSON.readTree("{\"a\":null,\"b\":[1,2,{\"c\":\"ü\"}]}"), JSON.readTree(rs.getString("c_json")));
                }
            }
            try (Connection conn = pools.b.store().dataSource().getConnection();
                 ResultSet rs = conn.createStatement().executeQuery("SELECT * FROM type_matrix WHERE id = 2")) {
                assertTrue(rs.next());
                for (String column : List.of("c_smallint", "c_numeric", "c_real", "c_boolean", "c_text", "c_date",
                        "c_timestamptz", "c_uuid", "c_bytes", "c_json")) {
                    assertNull(rs.getObject(column), column + " should be NULL");
                }
            }

            // one column changes; then a key is deleted and inserted again within one cycle
            TwoPools.exec(pools.a, "UPDATE type_matrix SET c_integer = 42 WHERE id = 1");
            TwoPools.exec(pools.a, "DELETE FROM type_matrix WHERE id = 2");
            insert(pools.a, "type_matrix", JSON.createObjectNode().put("id", 2).put("code", "nulls").put("c_varchar", "reborn"));
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM type_matrix WHERE c_integer = 42 AND c_bigint = ?",
                    Long.MAX_VALUE));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM type_matrix WHERE id = 2 AND c_varchar = 'reborn'"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES"})
    void parentAndChildTablesApplyWithoutViolatingTheirForeignKey(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            TwoPools.exec(pools.a, "INSERT INTO parent_item (id, name) VALUES (1, 'one')");
            TwoPools.exec(pools.a, "INSERT INTO child_item (id, parent_id, label) VALUES (10, 1, 'a'), (11, 1, 'b')");
            pools.syncUntilSettled();
            assertEquals(2, TwoPools.count(pools.b, "SELECT COUNT(*) FROM child_item WHERE parent_id = 1"));

            // in one cycle: children and their parent go, a new parent and child come
            TwoPools.exec(pools.a, "DELETE FROM child_item WHERE parent_id = 1");
            TwoPools.exec(pools.a, "DELETE FROM parent_item WHERE id = 1");
            TwoPools.exec(pools.a, "INSERT INTO parent_item (id, name) VALUES (2, 'two')");
            TwoPools.exec(pools.a, "INSERT INTO child_item (id, parent_id, label) VALUES (12, 2, 'c')");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM parent_item WHERE id = 1"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM child_item WHERE parent_id = 2"));
            assertNull(pools.importState(pools.b, FAMILY).lastError());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "POSTGRES"})
    void tableWithoutPrimaryKeyOrMissingTableIsRefusedAtStartup(String store) throws Exception {
        StoreKind kind = StoreKind.valueOf(store);
        for (String[] table : new String[][] {{"no_key_table", "table no_key_table has no primary key"},
                {"no_such_table", "table no_such_table does not exist"}}) {
            Map<String, String> overrides = new HashMap<>(kind.pool(A, "types"));
            overrides.put("poolpair.modules", TYPES);
            overrides.put("poolpair.module." + TYPES + ".tables", "type_matrix, " + table[0]);
            overrides.put("poolpair.module." + TYPES + ".owner-pool", A);
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TwoPools.start(dir.resolve(table[0] + store), Map.of(), overrides, Map.of()).close());
            assertTrue(e.getMessage().contains(table[1]), e.getMessage());
        }
    }

    private static ObjectNode fullRow() throws Exception {
        ObjectNode row = JSON.createObjectNode();
        row.put("id", 1).put("code", "α-1");
        row.put("c_smallint", -32768).put("c_integer", Integer.MAX_VALUE).put("c_bigint", Long.MAX_VALUE);
        row.put("c_numeric", "12345678901234.5678").put("c_real", 0.1f).put("c_double", Math.PI);
        row.put("c_boolean", true).put("c_varchar", "Grüße 😀 ünïcødé").put("c_text", TEXT).put("c_char", "ab");
        row.put("c_date", "2026-02-28").put("c_time", "23:59:59.123456").put("c_timestamp", "2026-11-26T07:06:01.123456");
        row.put("c_timestamptz", "2026-11-26T07:06:01.123456+05:30").put("c_uuid", ID.toString());
        row.put("c_bytes", Base64.getEncoder().encodeToString(BYTES));
        row.put("c_json", "{\"b\":[1,2,{\"c\":\"ü\"}],\"a\":null}");
        return row;
    }

    /** Inserts a row given as column → value in the batch's own encoding, bound as the pool's database needs. */
    private static void insert(PoolPairRuntime pool, String table, ObjectNode row) throws Exception {
        TableInfo info = pool.store().catalog().table(table);
        List<Column> columns = new java.util.ArrayList<>();
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            columns.add(info.column(it.next()).orElseThrow());
        }
        String sql = "INSERT INTO " + pool.store().dialect().qualified(info) + " (" + pool.store().dialect().columnList(columns)
                + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        try (Connection conn = pool.store().dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            int i = 1;
            for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = row.fields(); it.hasNext(); ) {
                pool.store().dialect().bind(ps, i, it.next().getValue(), columns.get(i - 1));
                i++;
            }
            ps.executeUpdate();
        }
    }
}
