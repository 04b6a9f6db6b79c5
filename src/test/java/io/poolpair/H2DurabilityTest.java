package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.store.Store;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 keeps no redo log and by default writes commits to its file up to 500 ms later, so a killed process would
 * lose transactions it reported as committed: an applied batch already acknowledged, or a user's write already
 * captured. Once poolpair has prepared an H2 store, every commit reported to any process survives a SIGKILL.
 */
class H2DurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyCommitReportedBeforeASigkillIsInTheStoreAfterward() throws Exception {
        PoolConfig config = new PairFolder(dir, PoolConfig.locateHome()).config(TwoPools.A, TwoPools.B,
                Map.of("poolpair.datasource.init-script", Path.of("config/sql/h2/demo-schema.sql").toAbsolutePath().toString()));
        Store.open(config).close();

        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classpath, Writer.class.getName(), config.datasourceUrl(),
                config.datasourceUsername(), config.datasourcePassword()).redirectErrorStream(true).start();
        long reported = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && reported < 3000) {
                if (!line.strip().matches("\\d+")) {
                    throw new AssertionError("the writer failed: " + line);
                }
                reported = Long.parseLong(line.strip());
            }
            // killing the process closes the pipe: lines still in it are not counted, so reported <= committed
            writer.destroyForcibly().waitFor();
        }
        assertTrue(reported >= 3000, "the writer reported only " + reported + " commits");
        try (Connection conn = TwoPools.connect(config);
             ResultSet rs = conn.createStatement().executeQuery("SELECT COUNT(*) FROM user_contact")) {
            rs.next();
            assertTrue(rs.getLong(1) >= reported, reported + " commits reported, " + rs.getLong(1) + " in the store");
        }
    }

    /** A pool's application: one row per transaction, printing the number committed after each commit. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            try (Connection conn = DriverManager.getConnection(args[0], args[1], args[2]); PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES ('sip:o', ?, 'G', 'poolA')")) {
                for (long i = 1; ; i++) {
                    ps.setString(1, "sip:c" + i);
                    ps.executeUpdate();
                    System.out.println(i);
                    System.out.flush();
                }
            }
        }
    }
}
