package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.status.BackupStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The time a change is captured is an instant, whatever time zone the writer's session uses: a writer in
 * Kiritimati (UTC+14) or Pago Pago (UTC-11) records the same moment as one in UTC, so conflict resolution
 * (newest change wins) and the recovery point in status do not shift by the writer's zone.
 */
class ChangeTimeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void changeTimeIsTheInstantOfTheWriteWhateverTheWritersTimeZone(StoreKind store) throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), store.pool(A, "demo"), store.pool(B, "demo"))) {
            Map<String, String> zones = new HashMap<>(Map.of("sip:kiritimati@example.com", "Pacific/Kiritimati",
                    "sip:pago-pago@example.com", "Pacific/Pago_Pago"));
            Instant before = Instant.now().minusSeconds(1);
            for (Map.Entry<String, String> writer : zones.entrySet()) {
                try (Connection conn = pools.a.store().dataSource().getConnection()) {
                    try (Statement st = conn.createStatement()) {
                        st.execute("SET TIME ZONE '" + writer.getValue() + "'");
                    }
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri,"
                            + " group_name, home_pool) VALUES ('sip:alice@poolA', ?, 'G', 'poolA')")) {
                        ps.setString(1, writer.getKey());
                        ps.executeUpdate();
                    }
                    try (Statement st = conn.createStatement()) {
                        st.execute(store == StoreKind.POSTGRES ? "RESET TIME ZONE" : "SET TIME ZONE LOCAL");
                    }
                }
            }
            Instant after = Instant.now().plusSeconds(1);
            try (Connection conn = pools.a.store().dataSource().getConnection();
                 ResultSet rs = conn.createStatement().executeQuery("SELECT pk, changed_at FROM pp_change")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    Instant at = rs.getTimestamp(2).toInstant();
                    assertTrue(!at.isBefore(before) && !at.isAfter(after), "change " + rs.getString(1) + " captured at " + at
                            + ", written between " + before + " and " + after);
                }
                assertTrue(n >= 2, "both writes were captured");
            }
            long age = new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE)
                    .oldestUnacknowledgedChangeAgeSeconds();
            assertTrue(age >= 0 && age <= Duration.between(before, Instant.now()).toSeconds() + 1,
                    "the oldest unacknowledged change is " + age + " s old");
        }
    }
}
