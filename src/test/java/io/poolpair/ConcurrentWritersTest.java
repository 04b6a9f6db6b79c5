package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.state.ChangeLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture under concurrency on PostgreSQL: 8 writer threads insert, update and delete overlapping keys on
 * poolA for 30 s while the 5 s Quartz schedule exports; afterwards the tables' checksums computed in SQL are
 * equal on both pools and no change is left unexported.
 */
class ConcurrentWritersTest {

    private static final int WRITERS = 8;
    private static final long WRITE_MILLIS = 30_000;

    @TempDir
    Path dir;

    @Test
    void eightWritersOnOverlappingKeysConvergeToEqualChecksums() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.export.on-schedule", "true", "poolpair.sync-interval", "PT5S"),
                StoreKind.POSTGRES.pool(A, "demo"), StoreKind.POSTGRES.pool(B, "demo"))) {
            AtomicLong committed = new AtomicLong();
            long deadline = System.currentTimeMillis() + WRITE_MILLIS;
            ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int seed = w;
                writers.add(executor.submit(() -> write(pools.a, new Random(seed), deadline, committed)));
            }
            for (Future<?> writer : writers) {
                writer.get(WRITE_MILLIS + 60_000, TimeUnit.MILLISECONDS);
            }
            executor.shutdown();
            assertTrue(committed.get() > 1000, "the writers committed only " + committed.get() + " transactions");
            System.out.printf("%d writers committed %d transactions in %d s%n", WRITERS, committed.get(), WRITE_MILLIS / 1000);

            pools.syncUntilSettled();
            for (String table : List.of("user_contact", "conference_directory", "user_setting")) {
                assertEquals(checksum(pools.a, table), checksum(pools.b, table), "checksums of " + table + " differ");
            }
            assertTrue(TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact") > 0);
            ChangeLog changes = new ChangeLog(pools.a.store().dataSource());
            assertEquals(0, changes.pending(PRESENCE), "a change was left unexported");
            assertEquals(pools.exportState(pools.a, PRESENCE).lastBatch(), pools.importState(pools.b, PRESENCE).lastApplied());
            assertEquals(pools.importState(pools.b, PRESENCE).lastApplied(),
                    TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_import_log WHERE module = ?", PRESENCE),
                    "every batch applied exactly once");
        }
    }

    /** Random transactions of one to three statements on 300 contacts, 40 conferences and 60 settings. */
    private static Void write(PoolPairRuntime pool, Random random, long deadline, AtomicLong committed) throws SQLException {
        try (Connection conn = pool.store().dataSource().getConnection()) {
            conn.setAutoCommit(false);
            while (System.currentTimeMillis() < deadline) {
                try {
                    int statements = 1 + random.nextInt(3);
                    for (int s = 0; s < statements; s++) {
                        statement(conn, random);
                    }
                    conn.commit();
                    committed.incrementAndGet();
                } catch (SQLException e) {
                    conn.rollback(); // deadlock or serialization failure between writers: the transaction is retried as a new one
                }
            }
        }
        return null;
    }

    private static void statement(Connection conn, Random random) throws SQLException {
        int key = random.nextInt(300);
        String owner = "sip:user" + (key % 10) + "@poolA";
        String contact = "sip:contact" + key + "@example.com";
        switch (random.nextInt(6)) {
            case 0, 1 -> exec(conn, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                    + " VALUES (?, ?, ?, ?, 'poolA') ON CONFLICT (owner_uri, contact_uri) DO UPDATE SET display_name ="
                    + " EXCLUDED.display_name", owner, contact, "G" + random.nextInt(5), "Name " + random.nextInt(1000));
            case 2 -> exec(conn, "UPDATE user_contact SET group_name = ?, is_favorite = NOT is_favorite WHERE owner_uri = ?"
                    + " AND contact_uri = ?", "G" + random.nextInt(5), owner, contact);
            case 3 -> exec(conn, "DELETE FROM user_contact WHERE owner_uri = ? AND contact_uri = ?", owner, contact);
            case 4 -> exec(conn, "INSERT INTO conference_directory (conference_id, organizer_uri, title, max_attendees, home_pool)"
                    + " VALUES (?, ?, ?, ?, 'poolA') ON CONFLICT (conference_id) DO UPDATE SET title = EXCLUDED.title,"
                    + " max_attendees = EXCLUDED.max_attendees", (long) random.nextInt(40), owner, "T" + random.nextInt(100),
                    random.nextBoolean() ? null : random.nextInt(300));
            default -> {
                if (random.nextBoolean()) {
                    exec(conn, "INSERT INTO user_setting (user_uri, setting_name, setting_value, home_pool) VALUES (?, ?, ?,"
                            + " 'poolA') ON CONFLICT (user_uri, setting_name) DO UPDATE SET setting_value = EXCLUDED.setting_value",
                            owner, "s" + random.nextInt(6), "v" + random.nextInt(1000));
                } else {
                    exec(conn, "DELETE FROM user_setting WHERE user_uri = ? AND setting_name = ?", owner, "s" + random.nextInt(6));
                }
            }
        }
    }

    private static void exec(Connection conn, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    /** md5 over every row of the table in key order, computed by the database itself. */
    private static String checksum(PoolPairRuntime pool, String table) throws SQLException {
        String key = String.join(", ", pool.store().catalog().table(table).primaryKey().stream().map(c -> c.name()).toList());
        try (Connection conn = pool.store().dataSource().getConnection();
             ResultSet rs = conn.createStatement().executeQuery("SELECT COUNT(*) || ':' || md5(coalesce(string_agg(t::text, '|'"
                     + " ORDER BY " + key + "), '')) FROM " + table + " t")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
