package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.store.StoreConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The pools' applications under load, for the process-level tests: one thread per pool writing its own contacts. */
final class PoolWriter {

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicLong written = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    private PoolWriter() {
    }

    /** Starts one writer thread per pool. */
    static PoolWriter start(List<PoolConfig> pools) {
        PoolWriter load = new PoolWriter();
        for (PoolConfig config : pools) {
            Thread t = new Thread(() -> write(config, load.writing, load.written), "writer-" + config.pool());
            t.start();
            load.threads.add(t);
        }
        return load;
    }

    /** Stops the writers; returns the transactions they committed, at least 100 or the test fails. */
    long stop() throws InterruptedException {
        writing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(written.get() > 100, "the writers committed only " + written.get() + " transactions");
        return written.get();
    }

    /** Inserts, updates and deletes rows homed on the pool, as the pool's applications would. */
    private static void write(PoolConfig config, AtomicBoolean writing, AtomicLong written) {
        Random random = new Random(config.pool().hashCode());
        try (HikariDataSource ds = StoreConnection.open(config)) {
            while (writing.get()) {
                try (Connection conn = ds.getConnection()) {
                    conn.setAutoCommit(false);
                    String owner = "sip:owner@" + config.pool();
                    String contact = "sip:c" + random.nextInt(400) + "@example.com";
                    String group = "G" + random.nextInt(9);
                    // an upsert both databases understand: only this writer writes the pool's own rows
                    int updated;
                    try (PreparedStatement ps = conn.prepareStatement(
                            "UPDATE user_contact SET group_name = ? WHERE owner_uri = ? AND contact_uri = ?")) {
                        ps.setString(1, group);
                        ps.setString(2, owner);
                        ps.setString(3, contact);
                        updated = ps.executeUpdate();
                    }
                    if (updated == 0) {
                        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri,"
                                + " group_name, home_pool) VALUES (?, ?, ?, ?)")) {
                            ps.setString(1, owner);
                            ps.setString(2, contact);
                            ps.setString(3, group);
                            ps.setString(4, config.pool());
                            ps.executeUpdate();
                        }
                    }
                    if (random.nextInt(5) == 0) {
                        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM user_contact WHERE owner_uri = ?"
                                + " AND contact_uri = ?")) {
                            ps.setString(1, owner);
                            ps.setString(2, "sip:c" + random.nextInt(400) + "@example.com");
                            ps.executeUpdate();
                        }
                    }
                    conn.commit();
                    written.incrementAndGet();
                    Thread.sleep(5);
                } catch (SQLException e) {
                    sleepQuietly(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
