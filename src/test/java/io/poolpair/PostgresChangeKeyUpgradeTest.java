package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.state.ChangeLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL {@code pp_change} has no primary key (nothing looks a change up by id alone, and a second btree is one
 * more index insert per capture and per claim). A store made by an earlier version, whose {@code pp_change} has one,
 * loses it when the service starts, and the changes captured while it was stopped are still exported.
 */
class PostgresChangeKeyUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void aStoreWithTheOldPrimaryKeyLosesItAtStartAndExportsItsPendingChanges() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"),
                StoreKind.POSTGRES.pool(B, "demo"))) {
            PoolConfig config = pools.a.config();
            pools.a.close();
            pools.a = null;
            try (Connection conn = DriverManager.getConnection(config.datasourceUrl(), config.datasourceUsername(),
                    config.datasourcePassword()); Statement st = conn.createStatement()) {
                // as an earlier version left the store, with a change captured while the service was stopped
                st.execute("ALTER TABLE pp_change ADD CONSTRAINT pp_change_pkey PRIMARY KEY (id)");
                st.execute("INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool)"
                        + " VALUES ('sip:alice@a', 'sip:while-stopped@a', 'G', 'poolA')");
                assertEquals(1, primaryKeys(conn));
            }

            pools.a = pools.startPool(A);

            try (Connection conn = pools.a.store().dataSource().getConnection()) {
                assertEquals(0, primaryKeys(conn));
            }
            assertEquals(1, new ChangeLog(pools.a.store().dataSource()).pending(PRESENCE));
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:while-stopped@a"));
        }
    }

    private static long primaryKeys(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM pg_constraint"
                + " WHERE conrelid = 'pp_change'::regclass AND contype = 'p'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
