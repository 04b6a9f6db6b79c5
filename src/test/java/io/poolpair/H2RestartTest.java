package io.poolpair;

import static io.poolpair.TwoPools.A;

import io.poolpair.config.PoolConfig;
import java.nio.file.Path;
import java.sql.Connection;
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
            try (Connection writer = TwoPools.connect(config)) {
                writer.setAutoCommit(false);
                try (Statement st = writer.createStatement()) {
                    st.executeUpdate("INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                            + " VALUES ('sip:writer@a', 'sip:open@a', 'Friends', 'open', 'poolA')");
                }

                pools.a = pools.startPool(A);

                writer.commit();
            }
            pools.assertCapturedAndReplicated(1, "sip:open@a");
        }
    }
}
