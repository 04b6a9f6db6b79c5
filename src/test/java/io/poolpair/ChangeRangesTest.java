package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL claims batches as ranges of (transaction id, change id) ({@code state/ChangeRanges}) instead of writing
 * the batch number into each change: a change whose transaction was still open when a claim passed over it is
 * claimed by a later batch once it commits (invariant 2), and nothing claimed is lost when the store moves to another
 * cluster or was claimed the old way before an upgrade.
 */
class ChangeRangesTest {

    @TempDir
    Path dir;

    @Test
    void aTransactionOpenWhileAClaimPassesItIsClaimedByTheNextBatchOnceItCommits() throws Exception {
        try (Store store = open()) {
            ChangeLog changes = new ChangeLog(store.dataSource());
            try (Connection late = store.dataSource().getConnection()) {
                late.setAutoCommit(false);
                // its transaction id is taken before the others commit theirs, its change written after the claim
                exec(late, "SELECT pg_current_xact_id()");
                capture(store, "k1", "k2");
                assertEquals(2, claim(store, 1), "the committed changes");
                assertEquals(List.of("k1", "k2"), claimedKeys(store, 1));

                insertChange(late, "late");
                late.commit();
            }
            assertEquals(1, changes.pending(PRESENCE), "the late change is not claimed yet");
            assertFalse(changes.isClaimed(idOf(store, "late")));
            assertTrue(changes.isClaimed(idOf(store, "k2")));
            capture(store, "k3");
            assertEquals(2, claim(store, 2));
            assertTrue(changes.isClaimed(idOf(store, "late")));
            assertEquals(List.of("late", "k3"), claimedKeys(store, 2));
            assertEquals(0, changes.pending(PRESENCE));
            assertEquals("{}", inFlight(store), "the late transaction is no longer awaited");

            acknowledge(store, 2);
            assertEquals(4, changes.purgeAcknowledged(PRESENCE));
            assertEquals(0, count(store, "SELECT COUNT(*) FROM pp_change"));
        }
    }

    @Test
    void aTransactionThatRollsBackIsForgottenWithoutABatch() throws Exception {
        try (Store store = open()) {
            try (Connection late = store.dataSource().getConnection()) {
                late.setAutoCommit(false);
                exec(late, "SELECT pg_current_xact_id()");
                capture(store, "k1");
                assertEquals(1, claim(store, 1));
                assertEquals(1, inFlight(store).split(",").length, inFlight(store));
                insertChange(late, "rolled-back");
                late.rollback();
            }
            assertEquals(null, claim(store, 2), "nothing to claim");
            assertEquals("{}", inFlight(store));
        }
    }

    @Test
    void aStoreRestoredIntoAnotherClusterClaimsItsChangesAgainFromTheStart() throws Exception {
        try (Store store = open()) {
            capture(store, "k1");
            assertEquals(1, claim(store, 1));
            // as after pg_dump into another cluster: the ranges' transaction ids are above every new transaction's
            exec(store, "UPDATE pp_claim SET cluster = 1, to_xact = '4000000000'");
            capture(store, "k2");
            assertEquals(2, claim(store, 2), "k2's lower transaction id, and k1 claimed again (never acknowledged)");
            assertEquals(List.of("k1", "k2"), claimedKeys(store, 2));
        }
    }

    @Test
    void changesHeldWhenTheStoreIsUpgradedAreExportedAndPurged() throws Exception {
        PoolConfig config = config();
        try (Store store = Store.open(config)) {
            ensureExport(store);
            // the schema of the version before the ranges: a claimed change carries its batch number
            exec(store, "DROP TABLE pp_claim");
            exec(store, "ALTER TABLE pp_change DROP COLUMN xact");
            exec(store, "CREATE INDEX pp_change_module_batch_id ON pp_change (module, batch, id)");
            capture(store, "claimed-before", "pending-before");
            exec(store, "UPDATE pp_change SET batch = 1 WHERE pk LIKE '%claimed-before%'");
            exec(store, "UPDATE pp_export SET last_batch = 1");
        }
        try (Store store = Store.open(config)) {
            ChangeLog changes = new ChangeLog(store.dataSource());
            assertEquals(1, changes.pending(PRESENCE));
            assertEquals(List.of("claimed-before"), claimedKeys(store, 1));
            capture(store, "after");
            assertEquals(2, claim(store, 2));
            assertEquals(List.of("pending-before", "after"), claimedKeys(store, 2));
            acknowledge(store, 2);
            assertEquals(3, changes.purgeAcknowledged(PRESENCE));
            assertEquals(0, count(store, "SELECT COUNT(*) FROM pp_change"));
        }
    }

    /**
     * The claim turns sorts off for its statement, which adds 10^10 to the plan's cost: far above jit_above_cost, so
     * PostgreSQL compiled each claim (30-90 ms of compilation for about 10 ms of work). The server's own plan log
     * (auto_explain, sent to this session as notices) shows whether the claim was compiled.
     */
    @Test
    void theClaimIsNotCompiledByJit() throws Exception {
        try (Store store = open()) {
            capture(store, "k1", "k2");
            try (Connection conn = store.dataSource().getConnection()) {
                RequiredServer.assume(count(conn, "SELECT CASE WHEN pg_jit_available() THEN 1 ELSE 0 END") == 1,
                        "PostgreSQL without JIT compilation (llvmjit)");
                exec(conn, "LOAD 'auto_explain'");
                exec(conn, "SET auto_explain.log_min_duration = 0");
                exec(conn, "SET auto_explain.log_level = notice");
                List<String> plans = new ArrayList<>();
                Connection watched = plansOf(conn, plans);
                watched.setAutoCommit(false);
                watched.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                ExportState.lockLastBatch(watched, PRESENCE);
                assertEquals(2, ChangeLog.claim(watched, PRESENCE, 1, 10));
                watched.rollback();
                List<String> claims = plans.stream().filter(p -> p.contains("next_changes")).toList();
                assertEquals(1, claims.size(), "the claim's plan, among " + plans);
                assertFalse(claims.get(0).contains("JIT:"), claims.get(0));
            }
        }
    }

    /**
     * {@code conn}, collecting the notices its statements received (auto_explain's plans) into {@code plans} as each
     * statement closes: the driver keeps a notice with the statement it arrived on.
     */
    private static Connection plansOf(Connection conn, List<String> plans) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result = invoke(conn, method, args);
                    if (result instanceof Statement st) {
                        Class<?> type = result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                        return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                                new Class<?>[] {type}, (p, m, a) -> {
                                    if (m.getName().equals("close")) {
                                        for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                                            plans.add(w.getMessage());
                                        }
                                    }
                                    return invoke(st, m, a);
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static long count(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private PoolConfig config() throws SQLException {
        return new PairFolder(dir, PoolConfig.locateHome()).config(A, B, StoreKind.POSTGRES.pool(A, "demo"));
    }

    private Store open() throws SQLException {
        Store store = Store.open(config());
        ensureExport(store);
        return store;
    }

    private static void ensureExport(Store store) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            ExportState.ensure(conn, PRESENCE, B, false);
        }
    }

    /** Captures one change a key, each in its own committed transaction, as the capture triggers do. */
    private static void capture(Store store, String... keys) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            for (String key : keys) {
                insertChange(conn, key);
            }
        }
    }

    private static void insertChange(Connection conn, String key) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO pp_change (module, table_name, pk, op) VALUES (?, 'user_contact', ?, 'U')")) {
            ps.setString(1, PRESENCE);
            ps.setString(2, "[\"sip:alice@poolA\",\"sip:" + key + "@example.com\"]");
            ps.executeUpdate();
        }
    }

    /** Claims the next batch as the export does; returns how many changes, or null when none. */
    private static Integer claim(Store store, long batch) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertEquals(batch - 1, ExportState.lockLastBatch(conn, PRESENCE));
            Integer claimed = ChangeLog.claim(conn, PRESENCE, batch, 10);
            if (claimed != null) {
                ExportState.advanceLastBatch(conn, PRESENCE, batch);
            }
            conn.commit();
            return claimed;
        }
    }

    private static List<String> claimedKeys(Store store, long batch) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection conn = store.dataSource().getConnection()) {
            ChangeLog.forEachClaimedKey(conn, PRESENCE, batch, (table, key, minId, maxId, changes, latest) ->
                    keys.add(key.replaceAll(".*sip:([a-z0-9-]+)@example.*", "$1")));
        }
        return keys;
    }

    private static long idOf(Store store, String key) throws SQLException {
        return count(store, "SELECT id FROM pp_change WHERE pk LIKE '%sip:" + key + "@%'");
    }

    private static String inFlight(Store store) throws SQLException {
        try (Connection conn = store.dataSource().getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT in_flight::text FROM pp_claim ORDER BY batch DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void acknowledge(Store store, long batch) throws SQLException {
        exec(store, "UPDATE pp_export SET acked_batch = " + batch);
    }

    private static long count(Store store, String sql) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            return count(conn, sql);
        }
    }

    private static void exec(Store store, String sql) throws SQLException {
        try (Connection conn = store.dataSource().getConnection()) {
            exec(conn, sql);
        }
    }

    private static void exec(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }
}
