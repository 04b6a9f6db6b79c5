package io.poolpair.failover;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.FailoverKeys;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * While a failover is in effect, the time of the latest write of each key claimed into a batch is kept in
 * {@code pp_failover_key} (it outlives the purge of acknowledged changes) and travels in the batch's manifest,
 * so both pools can keep the newest write of a key written on both sides. Keys are compared in one form: the
 * compact JSON array of the key values.
 */
public final class KeyTimes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyTimes() {
    }

    /** The one form of a captured key ({@code ["a","b"]}), whatever database captured it. */
    public static String normalize(String keyJson) {
        try {
            return JSON.writeValueAsString(JSON.readTree(keyJson));
        } catch (IOException e) {
            throw new UncheckedIOException("not a captured key: " + keyJson, e);
        }
    }

    /** Records the keys of {@code batch}, in the claiming transaction, with the time of their latest write. */
    public static void recordClaimed(Connection conn, String module, long batch) throws SQLException {
        List<ChangeLog.KeyTime> claimed = new ArrayList<>();
        for (ChangeLog.KeyTime c : ChangeLog.latestWrites(conn, module, batch)) {
            claimed.add(new ChangeLog.KeyTime(c.table(), normalize(c.key()), c.changedAt()));
        }
        FailoverKeys.record(conn, module, claimed);
    }
}
