package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL captures with statement-level triggers: one set-based insert into {@code pp_change} per statement, from
 * the statement's transition tables. A multi-row statement leaves exactly what a row-level trigger left row by row:
 * one {@code I} per inserted key, one {@code D} per deleted key, and for an UPDATE a {@code D} for the old key of each
 * row whose key changed (a row-level trigger that fires only then) and a {@code U} for each new key.
 */
class PostgresStatementCaptureTest {

    private static final String INSERT_FIVE = "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool)"
            + " SELECT 'sip:o@a', 'sip:c' || g || '@x', 'G', 'poolA' FROM generate_series(1, 5) AS g";

    @TempDir
    Path dir;

    private TwoPools start() throws SQLException {
        return TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"), StoreKind.POSTGRES.pool(B, "demo"));
    }

    @Test
    void multiRowInsertUpdateAndDeleteStatementsAreCapturedKeyByKey() throws Exception {
        try (TwoPools pools = start()) {
            long before = lastChangeId(pools.a);
            assertEquals(5, TwoPools.exec(pools.a, INSERT_FIVE));
            assertEquals(List.of("I " + key(1), "I " + key(2), "I " + key(3), "I " + key(4), "I " + key(5)),
                    changesAfter(pools.a, before));

            // keys 1 and 2 move to 11 and 12, keys 3 and 4 keep theirs: one statement
            before = lastChangeId(pools.a);
            assertEquals(4, TwoPools.exec(pools.a, "UPDATE user_contact SET display_name = 'changed', contact_uri = CASE"
                    + " WHEN contact_uri IN ('sip:c1@x', 'sip:c2@x') THEN replace(contact_uri, 'sip:c', 'sip:c1') ELSE contact_uri"
                    + " END WHERE contact_uri <> 'sip:c5@x'"));
            assertEquals(List.of("D " + key(1), "D " + key(2), "U " + key(11), "U " + key(12), "U " + key(3), "U " + key(4)),
                    changesAfter(pools.a, before));

            before = lastChangeId(pools.a);
            assertEquals(3, TwoPools.exec(pools.a, "DELETE FROM user_contact WHERE contact_uri IN ('sip:c11@x', 'sip:c3@x',"
                    + " 'sip:c5@x')"));
            assertEquals(List.of("D " + key(11), "D " + key(3), "D " + key(5)), changesAfter(pools.a, before));

            // a statement that changes no row captures nothing
            before = lastChangeId(pools.a);
            assertEquals(0, TwoPools.exec(pools.a, "UPDATE user_contact SET display_name = 'none' WHERE contact_uri = 'sip:none'"));
            assertEquals(List.of(), changesAfter(pools.a, before));
        }
    }

    @Test
    void multiRowStatementsOfAnApplyingTransactionAreNotCaptured() throws Exception {
        try (TwoPools pools = start()) {
            long before = lastChangeId(pools.a);
            TwoPools.uncaptured(pools.a, INSERT_FIVE,
                    "UPDATE user_contact SET contact_uri = contact_uri || '.moved', display_name = 'x'",
                    "DELETE FROM user_contact WHERE contact_uri LIKE 'sip:c1@%'");
            assertEquals(4, TwoPools.count(pools.a, "SELECT COUNT(*) FROM user_contact"));
            assertEquals(List.of(), changesAfter(pools.a, before));
        }
    }

    @Test
    void multiRowStatementsReplicateAndBothPoolsEndEqual() throws Exception {
        try (TwoPools pools = start()) {
            TwoPools.exec(pools.a, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                    + " SELECT 'sip:user' || (g % 7) || '@poolA', 'sip:c' || g || '@x', 'G', 'v0', 'poolA'"
                    + " FROM generate_series(1, 300) AS g");
            TwoPools.exec(pools.b, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                    + " SELECT 'sip:user@poolB', 'sip:b' || g || '@x', 'G', 'v0', 'poolB' FROM generate_series(1, 50) AS g");
            pools.syncUntilSettled();
            // every third contact moves to a new key, the rest change in place; then a set-based delete
            TwoPools.exec(pools.a, "UPDATE user_contact SET display_name = 'v1', contact_uri = CASE WHEN"
                    + " split_part(substr(contact_uri, 6), '@', 1)::int % 3 = 0 THEN contact_uri || '.moved' ELSE contact_uri END"
                    + " WHERE home_pool = 'poolA'");
            TwoPools.exec(pools.a, "DELETE FROM user_contact WHERE home_pool = 'poolA' AND owner_uri = 'sip:user3@poolA'");
            TwoPools.exec(pools.b, "UPDATE user_contact SET display_name = 'b1' WHERE home_pool = 'poolB'");
            pools.syncUntilSettled();

            pools.assertCopiesEqual();
            long kept = java.util.stream.IntStream.rangeClosed(1, 300).filter(g -> g % 7 != 3).count();
            assertEquals(kept + 50, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
            assertEquals(kept, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE display_name = 'v1'"));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE owner_uri = 'sip:user3@poolA'"));
            long moved = java.util.stream.IntStream.rangeClosed(1, 300).filter(g -> g % 7 != 3 && g % 3 == 0).count();
            assertEquals(moved, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE contact_uri LIKE '%.moved'"));
            assertEquals(50, TwoPools.count(pools.a, "SELECT COUNT(*) FROM user_contact WHERE display_name = 'b1'"));
        }
    }

    @Test
    void aStoreWithTheRowLevelTriggerOfAnEarlierVersionCapturesEachRowOnceAfterStart() throws Exception {
        try (TwoPools pools = start()) {
            PoolConfig config = pools.stopA();
            try (Connection conn = TwoPools.connect(config); Statement st = conn.createStatement()) {
                for (String event : List.of("ins", "upd", "del", "key")) {
                    st.execute("DROP TRIGGER pp_capture_" + event + "_user_contact ON user_contact");
                }
                // the function and row-level trigger as poolpair 0.1 (before statement-level capture) left them
                st.execute("CREATE OR REPLACE FUNCTION pp_capture_user_contact() RETURNS trigger LANGUAGE plpgsql AS $pp$\n"
                        + "BEGIN\n"
                        + "  IF current_setting('poolpair.applying', true) = 'on' THEN RETURN NULL; END IF;\n"
                        + "  IF TG_OP = 'INSERT' THEN\n"
                        + "    INSERT INTO pp_change (module, table_name, pk, op) VALUES ('UserServices.PresenceFocus',"
                        + " 'user_contact', jsonb_build_array(NEW.owner_uri, NEW.contact_uri)::text, 'I');\n"
                        + "  ELSIF TG_OP = 'DELETE' THEN\n"
                        + "    INSERT INTO pp_change (module, table_name, pk, op) VALUES ('UserServices.PresenceFocus',"
                        + " 'user_contact', jsonb_build_array(OLD.owner_uri, OLD.contact_uri)::text, 'D');\n"
                        + "  ELSE\n"
                        + "    INSERT INTO pp_change (module, table_name, pk, op) VALUES ('UserServices.PresenceFocus',"
                        + " 'user_contact', jsonb_build_array(NEW.owner_uri, NEW.contact_uri)::text, 'U');\n"
                        + "  END IF;\n"
                        + "  RETURN NULL;\n"
                        + "END\n"
                        + "$pp$");
                st.execute("CREATE TRIGGER pp_capture_user_contact AFTER INSERT OR UPDATE OR DELETE ON user_contact"
                        + " FOR EACH ROW EXECUTE FUNCTION pp_capture_user_contact()");
            }

            pools.a = pools.startPool(A);
            pools.a = pools.restart(pools.a); // installing again over statement-level capture changes nothing

            assertEquals(List.of("pp_capture_del_user_contact FOR EACH STATEMENT", "pp_capture_ins_user_contact FOR EACH STATEMENT",
                    "pp_capture_key_user_contact FOR EACH ROW", "pp_capture_upd_user_contact FOR EACH STATEMENT"),
                    captureTriggers(pools.a));
            long before = lastChangeId(pools.a);
            assertEquals(5, TwoPools.exec(pools.a, INSERT_FIVE));
            assertEquals(List.of("I " + key(1), "I " + key(2), "I " + key(3), "I " + key(4), "I " + key(5)),
                    changesAfter(pools.a, before));
            pools.syncUntilSettled();
            assertEquals(5, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE owner_uri = 'sip:o@a'"));
        }
    }

    @Test
    void tablesWhoseLongNamesBeginAlikeAreEachCapturedUnderTheirOwnName() throws Exception {
        String one = "replicated_table_with_a_name_that_fills_postgresql_limit_of_one";
        String two = "replicated_table_with_a_name_that_fills_postgresql_limit_of_two";
        Map<String, String> modules = Map.of("poolpair.modules", "Test.Long", "poolpair.module.Test.Long.tables", one + ", " + two,
                "poolpair.module.Test.Long.owner-pool", A);
        try (TwoPools pools = TwoPools.start(dir, modules, StoreKind.POSTGRES.pool(A, "long-names"),
                StoreKind.POSTGRES.pool(B, "long-names"))) {
            TwoPools.exec(pools.a, "INSERT INTO " + one + " (id, label) SELECT g, 'one' FROM generate_series(1, 3) AS g");
            TwoPools.exec(pools.a, "INSERT INTO " + two + " (id, label) SELECT g, 'two' FROM generate_series(1, 2) AS g");

            assertEquals(3, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change WHERE table_name = ?", one));
            assertEquals(2, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change WHERE table_name = ?", two));
            pools.syncUntilSettled();
            assertEquals(3, TwoPools.count(pools.b, "SELECT COUNT(*) FROM " + one + " WHERE label = 'one'"));
            assertEquals(2, TwoPools.count(pools.b, "SELECT COUNT(*) FROM " + two + " WHERE label = 'two'"));
        }
    }

    /** The capture triggers on {@code user_contact}: name and level. */
    private static List<String> captureTriggers(PoolPairRuntime pool) throws SQLException {
        List<String> triggers = new ArrayList<>();
        try (Connection conn = pool.store().dataSource().getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT tgname, (tgtype & 1) = 1 FROM pg_trigger WHERE tgrelid = 'user_contact'::regclass"
                     + " AND tgname LIKE 'pp\\_capture\\_%' ORDER BY tgname")) {
            while (rs.next()) {
                triggers.add(rs.getString(1) + (rs.getBoolean(2) ? " FOR EACH ROW" : " FOR EACH STATEMENT"));
            }
        }
        return triggers;
    }

    private static String key(int contact) {
        return "[\"sip:o@a\", \"sip:c" + contact + "@x\"]";
    }

    private static long lastChangeId(PoolPairRuntime pool) throws SQLException {
        return TwoPools.count(pool, "SELECT COALESCE(MAX(id), 0) FROM pp_change");
    }

    /** The changes captured after id {@code after} as "op key", sorted (the order within a statement is not defined). */
    private static List<String> changesAfter(PoolPairRuntime pool, long after) throws SQLException {
        List<String> changes = new ArrayList<>();
        try (Connection conn = pool.store().dataSource().getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT op, pk FROM pp_change WHERE id > " + after + " ORDER BY id")) {
            while (rs.next()) {
                changes.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        changes.sort(null);
        return changes;
    }
}
