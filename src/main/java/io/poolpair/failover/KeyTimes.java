package io.poolpair.failover;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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
        record Claimed(String table, String pk, Timestamp at) {
        }
        List<Claimed> claimed = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT table_name, pk, MAX(changed_at) FROM pp_change"
                + " WHERE module = ? AND batch = ? GROUP BY table_name, pk")) {
            ps.setString(1, module);
            ps.setLong(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getString(1), normalize(rs.getString(2)), rs.getTimestamp(3)));
                }
            }
        }
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM pp_failover_key WHERE module = ? AND table_name = ?"
                + " AND pk = ?");
             PreparedStatement ins = conn.prepareStatement("INSERT INTO pp_failover_key (module, table_name, pk, changed_at)"
                     + " VALUES (?, ?, ?, ?)")) {
            for (Claimed c : claimed) {
                del.setString(1, module);
                del.setString(2, c.table());
                del.setString(3, c.pk());
                del.addBatch();
                ins.setString(1, module);
                ins.setString(2, c.table());
                ins.setString(3, c.pk());
                ins.setTimestamp(4, c.at());
                ins.addBatch();
            }
            del.executeBatch();
            ins.executeBatch();
        }
    }
}
