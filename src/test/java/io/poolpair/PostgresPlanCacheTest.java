package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.store.TableInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * poolpair's tables change size by orders of magnitude within minutes, so on PostgreSQL its statements are planned for
 * the table as it is at each execution, never from a generic plan cached while the table was small: the read of a
 * batch's rows by key keeps using the key's index after the table grew a thousandfold.
 */
class PostgresPlanCacheTest {

    @TempDir
    Path dir;

    @Test
    void rowsByKeyAreReadWithAPlanForTheTableAsItIsNowAfterItGrew() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"), StoreKind.POSTGRES.pool(B, "demo"))) {
            TableInfo contacts = pools.a.store().catalog().table("user_contact");
            String byKeys = pools.a.store().dialect().rowsByKeysSql(contacts).orElseThrow();
            try (Connection conn = pools.a.store().dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(byKeys)) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:small@example.com");
                for (int i = 0; i < 10; i++) {
                    read(ps, "[[\"sip:alice@poolA\",\"sip:small@example.com\"]]");
                }
                TwoPools.uncaptured(pools.a, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                        + " SELECT 'sip:owner' || (g / 50) || '@poolA', 'sip:c' || g || '@example.com', 'Friends', 'Display', 'poolA'"
                        + " FROM generate_series(1, 100000) g");
                for (int i = 0; i < 3; i++) {
                    read(ps, "[[\"sip:owner7@poolA\",\"sip:c350@example.com\"]]");
                }

                try (Statement st = conn.createStatement();
                     ResultSet rs = st.executeQuery("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements"
                             + " WHERE statement LIKE '%jsonb_array_elements%'")) {
                    assertTrue(rs.next(), "the driver prepared the read on the server (it does after 5 executions)");
                    String name = rs.getString(1);
                    assertEquals(0, rs.getLong(2), "executions planned from a generic plan");
                    assertTrue(rs.getLong(3) >= 8, "executions planned for the table as it was: " + rs.getLong(3));
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet explain = st.executeQuery("EXPLAIN EXECUTE \"" + name + "\""
                            + "('[[\"sip:owner7@poolA\",\"sip:c351@example.com\"]]')")) {
                        while (explain.next()) {
                            plan.append(explain.getString(1)).append('\n');
                        }
                    }
                    assertTrue(plan.toString().contains("user_contact_pkey"), "read by the key's index:\n" + plan);
                    assertFalse(plan.toString().contains("Seq Scan on user_contact"), "no scan of the whole table:\n" + plan);
                }
            }
        }
    }

    private static void read(PreparedStatement ps, String keys) throws Exception {
        ps.setString(1, keys);
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
        }
    }
}
