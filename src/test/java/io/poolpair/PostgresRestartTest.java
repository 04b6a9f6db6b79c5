package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool restarted on PostgreSQL while the applications write: the start-up prepares a store that is already prepared
 * without DDL on the tables those writers lock (the replicated tables and {@code pp_change}), so it neither waits for
 * their open transactions nor queues their next writes behind it. What start-up does install is still checked.
 */
class PostgresRestartTest {

    private static final String OPEN_WRITE = "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name,"
            + " home_pool) VALUES ('sip:writer@a', 'sip:open@a', 'Friends', 'open', 'poolA')";

    @TempDir
    Path dir;

    @Test
    void aRestartDoesNotWaitForAnOpenApplicationTransaction() throws Exception {
        try (TwoPools pools = start()) {
            PoolConfig config = pools.stopA();
            try (Connection writer = TwoPools.connect(config); Connection watcher = TwoPools.connect(config)) {
                writer.setAutoCommit(false);
                try (Statement st = writer.createStatement()) {
                    st.executeUpdate(OPEN_WRITE); // captured: the writer now holds user_contact and pp_change
                }
                CompletableFuture<PoolPairRuntime> restart = CompletableFuture.supplyAsync(() -> pools.startPool(A));
                // the start-up's finish is the evidence: every statement it runs has had its chance to wait
                TwoPools.await("the start-up to finish", () -> {
                    String waiting = lockWaiter(watcher);
                    if (waiting != null) {
                        writer.rollback(); // lets the start-up finish, so the pool can be closed
                        pools.a = restart.join();
                        fail("the start-up waited for the application's open transaction, in: " + waiting);
                    }
                    return restart.isDone();
                });
                pools.a = restart.join();
                writer.commit();
            }
            pools.assertCapturedAndReplicated(1, "sip:open@a");
        }
    }

    @Test
    void aCaptureTriggerDroppedByHandIsInstalledAgainAtStart() throws Exception {
        try (TwoPools pools = start()) {
            PoolConfig config = pools.stopA();
            try (Connection conn = TwoPools.connect(config); Statement st = conn.createStatement()) {
                st.execute("DROP TRIGGER pp_capture_ins_user_contact ON user_contact");
            }

            pools.a = pools.startPool(A);

            TwoPools.insertContact(pools.a, "sip:alice@a", "sip:again@a");
            pools.assertCapturedAndReplicated(1, "sip:again@a");
        }
    }

    @Test
    void triggersOfAnotherVersionAreReplacedWithoutHoldingTheApplicationsWritesUp() throws Exception {
        try (TwoPools pools = start()) {
            PoolConfig config = pools.stopA();
            try (Connection conn = TwoPools.connect(config); Statement st = conn.createStatement()) {
                st.execute("COMMENT ON FUNCTION pp_capture_user_contact() IS 'poolpair capture of an earlier version'");
            }
            try (Connection longWriter = TwoPools.connect(config); Connection watcher = TwoPools.connect(config)) {
                longWriter.setAutoCommit(false);
                try (Statement st = longWriter.createStatement()) {
                    st.executeUpdate(OPEN_WRITE);
                }
                CompletableFuture<PoolPairRuntime> restart = CompletableFuture.supplyAsync(() -> pools.startPool(A));
                TwoPools.await("the start-up waiting to replace the triggers", () -> lockWaiter(watcher) != null);

                // a write asked for while the start-up waits goes through (queued at most one attempt's lock wait)
                CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> {
                    try (Connection writer = TwoPools.connect(config); Statement st = writer.createStatement()) {
                        return st.executeUpdate("INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name,"
                                + " home_pool) VALUES ('sip:writer@a', 'sip:meanwhile@a', 'Friends', 'meanwhile', 'poolA')");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                TwoPools.await("the write asked for meanwhile to commit", write::isDone);
                assertEquals(1, write.join());
                assertEquals(false, restart.isDone(), "the start-up waits for the open transaction");

                longWriter.commit();
                pools.a = restart.get(TwoPools.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
            try (Connection conn = TwoPools.connect(config); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT obj_description('pp_capture_user_contact()'::regprocedure, 'pg_proc')")) {
                rs.next();
                assertEquals(true, rs.getString(1).startsWith("poolpair capture "), rs.getString(1));
                assertEquals(false, rs.getString(1).contains("earlier"), rs.getString(1));
            }
            TwoPools.insertContact(pools.a, "sip:alice@a", "sip:after@a");
            pools.syncUntilSettled();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:after@a"));
        }
    }

    private TwoPools start() throws Exception {
        return TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"), StoreKind.POSTGRES.pool(B, "demo"));
    }

    /** The statement of a session of this database waiting for a lock, or null when none waits. */
    private static String lockWaiter(Connection watcher) throws Exception {
        try (PreparedStatement ps = watcher.prepareStatement("SELECT query FROM pg_stat_activity WHERE datname ="
                + " current_database() AND wait_event_type = 'Lock'"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
