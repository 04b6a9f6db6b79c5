package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.zaxxer.hikari.HikariDataSource;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.store.SqlScript;
import io.poolpair.store.StoreConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full sync of 200,000 rows streams: the sending pool runs as its own JVM with {@code -Xmx256m}
 * ({@code sync --full --wait}, in-process since no service runs there) while the receiving pool applies it.
 */
class FullSyncHeapTest {

    private static final int ROWS = 200_000;

    @TempDir
    Path dir;

    @Test
    void fullSyncOf200000RowsCompletesWithTheSendersHeapLimitedTo256MiB() throws Exception {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        Map<String, String> quiet = Map.of("poolpair.export.on-schedule", "false", "poolpair.import.poll-delay", "PT0.2S");
        PoolConfig a = pair.config(A, B, quiet);
        seed(a);
        try (PoolPairRuntime b = PoolPairRuntime.create(pair.config(B, A, quiet)).start()) {
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            assertNotNull(classpath);
            Process sender = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Dpoolpair.home=" + PoolConfig.locateHome(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", classpath, "io.poolpair.cli.PoolPairCommand", "sync", "--config",
                    dir.resolve("poolA.properties").toString(), "--full", "--wait", "--timeout", "PT5M"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sender.log").toFile()).start();
            boolean finished = sender.waitFor(6, TimeUnit.MINUTES);
            String log = java.nio.file.Files.readString(dir.resolve("sender.log"));
            assertEquals(true, finished, "the sender did not finish: " + log);
            assertEquals(0, sender.exitValue(), log);
            assertTrue(log.matches("(?s).*\\[[0-9.]+ rows/s, about \\d+ s left\\].*"), "progress with rate and time left: " + log);
            assertTrue(log.contains("UserServices.PresenceFocus: rows " + ROWS + "/" + ROWS + " acknowledged"), log);
            assertEquals(ROWS, TwoPools.count(b, "SELECT COUNT(*) FROM user_contact WHERE home_pool = 'poolA'"));
        }
    }

    private static void seed(PoolConfig config) throws Exception {
        try (HikariDataSource ds = StoreConnection.open(config); Connection conn = ds.getConnection()) {
            SqlScript.run(conn, config.datasourceInitScript().orElseThrow());
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO user_contact (owner_uri, contact_uri, group_name,"
                    + " display_name, home_pool) VALUES (?, ?, ?, ?, 'poolA')")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setString(1, "sip:user" + (i % 1000) + "@poolA");
                    ps.setString(2, "sip:contact" + i + "@example.com");
                    ps.setString(3, "Group " + (i % 7));
                    ps.setString(4, "Contact number " + i + " with a display name of some length");
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            conn.commit();
        }
    }
}
