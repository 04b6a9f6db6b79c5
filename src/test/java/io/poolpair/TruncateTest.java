package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.state.ExportState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TRUNCATE fires no row trigger, so it is never captured. PostgreSQL refuses it on a replicated table with an
 * error that names the table and the ways that do replicate (DELETE, or {@code sync --full}); applying an
 * import is not affected. H2 has no TRUNCATE trigger: a TRUNCATE there is not captured and the peer keeps the
 * rows until a full sync ({@code sync --full}), which replaces the pool's rows on the peer.
 */
class TruncateTest {

    @TempDir
    Path dir;

    @Test
    void truncateOfAReplicatedTableIsRefusedOnPostgresWithAClearError() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"), StoreKind.POSTGRES.pool(B, "demo"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:kept@example.com");
            SQLException refused = assertThrows(SQLException.class, () -> TwoPools.exec(pools.a, "TRUNCATE user_contact"));
            assertTrue(refused.getMessage().contains("TRUNCATE of public.user_contact is refused") && refused.getMessage().contains("use DELETE")
                    && refused.getMessage().contains("sync --full"), refused.getMessage());
            assertEquals(1, TwoPools.contacts(pools.a, "sip:kept@example.com"), "the table was not emptied");

            // a table poolpair does not replicate is not concerned
            TwoPools.exec(pools.a, "CREATE TABLE scratch (id INT PRIMARY KEY)");
            TwoPools.exec(pools.a, "TRUNCATE scratch");

            // the applying connection may (the flag poolpair sets while it applies an import)
            try (Connection conn = pools.a.store().dataSource().getConnection()) {
                conn.setAutoCommit(false);
                pools.a.store().dialect().setApplying(conn, true);
                conn.createStatement().execute("TRUNCATE user_contact");
                conn.rollback();
            }
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:kept@example.com"));
        }
    }

    @Test
    void truncateOnH2IsNotCapturedAndAFullSyncRemovesTheRowsOnThePeer() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:truncated-1@example.com");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:truncated-2@example.com");
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:homed-on-b@example.com");
            pools.syncUntilSettled();

            TwoPools.exec(pools.a, "TRUNCATE TABLE user_contact");
            assertEquals(0, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change WHERE batch IS NULL AND table_name = 'user_contact'"
                    + " AND pk LIKE '%truncated%'"), "H2 captured the TRUNCATE (then document that it does)");
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:truncated-1@example.com"), "not captured: the peer keeps the rows");

            // the documented remedy: a full sync replaces poolA's rows on poolB
            new ExportState(pools.a.store().dataSource()).requestFullSync(PRESENCE);
            pools.syncUntilSettled();
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE home_pool = 'poolA'"));
            assertEquals(1, TwoPools.contacts(pools.b, "sip:homed-on-b@example.com"), "poolB's own rows stay");
        }
    }
}
