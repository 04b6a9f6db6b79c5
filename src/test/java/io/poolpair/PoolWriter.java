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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The pools' applications under load, for the process-level tests: one thread per pool writing its own contacts. */
final class PoolWriter {

    /** The setting (of user {@code sip:owner@<pool>}) that every transaction of the pool's writer increments. */
    static final String COUNTER = "writes";

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicLong written = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> inDoubt = new ConcurrentHashMap<>();
    private final Map<String, Pause> pauses = new ConcurrentHashMap<>();

    /** A pool's writer asked to hold its connections closed ({@code requested}), and whether it does ({@code idle}). */
    private static final class Pause {
        final AtomicBoolean requested = new AtomicBoolean();
        final AtomicBoolean idle = new AtomicBoolean();
    }

    private PoolWriter() {
    }

    /**
     * Stops the pool's writer and closes its connections, returning once they are closed: before its H2 store's
     * process is killed, so that this JVM never opens (and serves) the database file while that process is down.
     */
    void pause(String pool) throws InterruptedException {
        Pause pause = pauses.get(pool);
        pause.requested.set(true);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!pause.idle.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the writer of " + pool + " did not close its connections");
            }
            Thread.sleep(20);
        }
    }

    /** The pool's writer goes on (call once the process that holds its store is up again). */
    void resume(String pool) {
        Pause pause = pauses.get(pool);
        pause.idle.set(false);
        pause.requested.set(false);
    }

    /** Starts one writer thread per pool. */
    static PoolWriter start(List<PoolConfig> pools) {
        PoolWriter load = new PoolWriter();
        for (PoolConfig config : pools) {
            AtomicLong committed = load.committed.computeIfAbsent(config.pool(), p -> new AtomicLong());
            AtomicLong inDoubt = load.inDoubt.computeIfAbsent(config.pool(), p -> new AtomicLong());
            Pause pause = load.pauses.computeIfAbsent(config.pool(), p -> new Pause());
            Thread t = new Thread(() -> write(config, load.writing, load.written, committed, inDoubt, pause),
                    "writer-" + config.pool());
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

    /** Transactions of the pool's writer that committed (their commit returned). */
    long committed(String pool) {
        return committed.getOrDefault(pool, new AtomicLong()).get();
    }

    /** Transactions of the pool's writer whose commit failed: each may or may not have committed. */
    long inDoubt(String pool) {
        return inDoubt.getOrDefault(pool, new AtomicLong()).get();
    }

    /**
     * Inserts, updates and deletes rows homed on the pool, as the pool's applications would, and increments the
     * pool's counter setting ({@link #COUNTER}) in every transaction: a non-idempotent effect, so a change that is
     * lost, or an old state applied again after a newer one, shows in the data.
     */
    private static void write(PoolConfig config, AtomicBoolean writing, AtomicLong written, AtomicLong committed,
                              AtomicLong inDoubt, Pause pause) {
        Random random = new Random(config.pool().hashCode());
        while (writing.get()) {
            if (pause.requested.get()) {
                pause.idle.set(true);
                sleepQuietly(20);
                continue;
            }
            try (HikariDataSource ds = StoreConnection.open(config)) {
                writeUntilPaused(config, ds, random, writing, written, committed, inDoubt, pause);
            } catch (RuntimeException e) {
                sleepQuietly(200); // the store cannot be reached now: try again
            }
        }
    }

    private static void writeUntilPaused(PoolConfig config, HikariDataSource ds, Random random, AtomicBoolean writing,
                                         AtomicLong written, AtomicLong committed, AtomicLong inDoubt, Pause pause) {
        {
            while (writing.get() && !pause.requested.get()) {
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
                    int counted;
                    try (PreparedStatement ps = conn.prepareStatement("UPDATE user_setting SET setting_value ="
                            + " CAST(CAST(setting_value AS BIGINT) + 1 AS VARCHAR(40)) WHERE user_uri = ? AND setting_name = ?")) {
                        ps.setString(1, owner);
                        ps.setString(2, COUNTER);
                        counted = ps.executeUpdate();
                    }
                    if (counted == 0) {
                        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_setting (user_uri, setting_name,"
                                + " setting_value, home_pool) VALUES (?, ?, '1', ?)")) {
                            ps.setString(1, owner);
                            ps.setString(2, COUNTER);
                            ps.setString(3, config.pool());
                            ps.executeUpdate();
                        }
                    }
                    try {
                        conn.commit();
                    } catch (SQLException e) {
                        inDoubt.incrementAndGet();
                        throw e;
                    }
                    committed.incrementAndGet();
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
