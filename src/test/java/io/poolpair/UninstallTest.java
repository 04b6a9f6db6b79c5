package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** `uninstall` takes poolpair out of a pool's database and leaves the application's tables, rows and writes alone. */
class UninstallTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void uninstallDropsPoolpairsObjectsAndKeepsTheApplicationsRows(StoreKind store) throws Exception {
        Map<String, String> storeA = store.pool(A, "demo");
        try (TwoPools pools = TwoPools.start(dir, Map.of(), storeA, store.pool(B, "demo"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:kept@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            // the pool's file as its operator would have it: the test's settings plus the store
            Path file = dir.resolve("poolA-with-store.properties");
            StringBuilder text = new StringBuilder(Files.readString(pools.configFile(A))).append('\n');
            storeA.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(file, text);
            String config = file.toString();
            PoolPairRuntime a = pools.a;

            TwoPools.CommandResult refused = TwoPools.cli("uninstall", "--config", config, "--yes");
            assertEquals(2, refused.exit(), "refused while the service runs: " + refused.err());
            assertTrue(poolpairObjects(a) > 0);

            a.close();
            TwoPools.CommandResult dryRun = TwoPools.cli("uninstall", "--config", config, "--dry-run");
            assertEquals(0, dryRun.exit(), dryRun.err());
            assertTrue(dryRun.out().toLowerCase().contains("drop table if exists") && dryRun.out().contains("nothing changed"),
                    dryRun.out());
            TwoPools.CommandResult unconfirmed = TwoPools.cli("uninstall", "--config", config);
            assertEquals(2, unconfirmed.exit(), "no terminal, no --yes: " + unconfirmed.err());

            TwoPools.CommandResult done = TwoPools.cli("uninstall", "--config", config, "--yes");
            assertEquals(0, done.exit(), done.out() + done.err());
            {
                // nothing of poolpair's is left, and the application keeps its rows and can write without a trigger
                try (var ds = io.poolpair.store.StoreConnection.open(pools.config(A)); Connection conn = ds.getConnection()) {
                    assertEquals(0, count(conn, store == StoreKind.H2
                            ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) LIKE 'PP\\_%' AND TABLE_SCHEMA = SCHEMA()"
                            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE 'pp\\_%' AND table_schema = 'public'"));
                    assertEquals(0, count(conn, store == StoreKind.H2
                            ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TRIGGERS WHERE UPPER(TRIGGER_NAME) LIKE 'PP\\_%'"
                            : "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'pp\\_%'"));
                    assertEquals(1, count(conn, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = 'sip:kept@example.com'"));
                    try (var st = conn.createStatement()) {
                        assertEquals(1, st.executeUpdate("INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool)"
                                + " VALUES ('sip:alice@poolA', 'sip:after@example.com', 'G', 'poolA')"));
                    }
                }
            }
            TwoPools.CommandResult again = TwoPools.cli("uninstall", "--config", config, "--yes");
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("nothing to drop"), again.out());
        }
    }

    private static long poolpairObjects(PoolPairRuntime pool) throws Exception {
        return TwoPools.count(pool, "SELECT COUNT(*) FROM pp_export");
    }

    private static long count(Connection conn, String sql) throws Exception {
        try (var st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
