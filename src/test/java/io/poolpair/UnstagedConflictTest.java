package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change of this pool that loses a conflict before it was ever staged in a batch is not captured again: only a
 * losing change already staged (immutable, on its way to the peer with the older value) makes the winner travel back.
 * The losing change still travels, and carries the winning row, so both copies end alike.
 */
class UnstagedConflictTest {

    private static final String OWNER = "sip:alice@poolA";
    private static final String CONTACT = "sip:unstaged@example.com";

    @TempDir
    Path dir;

    @Test
    void aLosingChangeNotYetStagedIsNotCapturedAgain() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, OWNER, CONTACT);
            pools.syncUntilSettled();

            TwoPools.exec(pools.a, "UPDATE user_contact SET group_name = 'A wrote' WHERE contact_uri = ?", CONTACT);
            // the database clock stamps the writes: poolB's must be the later one, so wait until poolB's clock is past
            // the time poolA's store gave its write
            Timestamp aWrote = latestChangeTime(pools.a);
            TwoPools.await("poolB's database clock is past poolA's write", () -> TwoPools.count(pools.b,
                    "SELECT COUNT(*) FROM (VALUES (1)) WHERE CURRENT_TIMESTAMP > ?", aWrote) == 1);
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'B wrote' WHERE contact_uri = ?", CONTACT);
            pools.b.syncNow();
            pools.awaitApplied(pools.a, PRESENCE, pools.exportState(pools.b, PRESENCE).lastBatch());

            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_conflict WHERE kept = 'poolB'"));
            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM pp_change WHERE table_name = 'user_contact'"),
                    "poolA's own change, and no second capture of the key");

            pools.syncUntilSettled();
            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals(1, TwoPools.count(pool, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ?"
                        + " AND group_name = 'B wrote'", CONTACT), pool.config().pool());
            }
            pools.assertCopiesEqual();
        }
    }

    private static Timestamp latestChangeTime(PoolPairRuntime pool) throws Exception {
        try (Connection conn = pool.store().dataSource().getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(changed_at) FROM pp_change")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }
}
