package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.state.ChangeLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool restarted on its embedded H2 store while a transaction that wrote a replicated table is open: start-up runs
 * no DDL on {@code pp_change} when its columns are already as this version makes them. H2 copies the whole table for a
 * column type change, even to the same type, under a lock the open writer holds up: start-up failed after H2's lock
 * timeout, or with a large backlog took seconds a start.
 */
class H2RestartTest {

    @TempDir
    Path dir;

    @Test
    void aRestartBesideAnOpenWriteTransactionStartsAndCapturesIt() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            PoolConfig config = pools.stopA();
            try (Connection writer = DriverManager.getConnection(config.datasourceUrl(), config.datasourceUsername(),
                    config.datasourcePassword())) {
                writer.setAutoCommit(false);
                try (Statement st = writer.createStatement()) {
                    st.executeUpdate("INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                            + " VALUES ('sip:writer@a', 'sip:open@a', 'Friends', 'open', 'poolA')");
                }

                pools.a = pools.startPool(A);

                writer.commit();
            }
            assertEquals(1, new ChangeLog(pools.a.store().dataSource()).pending(PRESENCE));
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:open@a"));
        }
    }
}
