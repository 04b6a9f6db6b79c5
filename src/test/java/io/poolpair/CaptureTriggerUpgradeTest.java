package io.poolpair;

import static io.poolpair.TwoPools.A;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.store.h2.H2CaptureTrigger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 store names its capture trigger's class in the database. Stores prepared before the package re-cut name
 * {@code io.poolpair.capture.H2CaptureTrigger}, which no longer exists: the store replaces such a trigger when the
 * service starts, and writes are captured again.
 */
class CaptureTriggerUpgradeTest {

    private static final String OLD_CLASS = "io.poolpair.capture.H2CaptureTrigger";

    @TempDir
    Path dir;

    @Test
    void aStoreWhoseTriggerNamesTheOldClassCapturesAgainAfterStart() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            PoolConfig config = pools.stopA();
            try (Connection conn = TwoPools.connect(config); Statement st = conn.createStatement()) {
                st.execute("DROP TRIGGER \"PP_CAPTURE_USER_CONTACT\"");
                // FORCE: as the store an older version left, whose class this version does not have
                st.execute("CREATE FORCE TRIGGER \"PP_CAPTURE_USER_CONTACT\" AFTER INSERT, UPDATE, DELETE ON user_contact"
                        + " FOR EACH ROW CALL '" + OLD_CLASS + "'");
                assertEquals(OLD_CLASS, triggerClass(conn));
            }

            pools.a = pools.startPool(A);

            try (Connection conn = pools.a.store().dataSource().getConnection()) {
                assertEquals(H2CaptureTrigger.class.getName(), triggerClass(conn));
            }
            TwoPools.insertContact(pools.a, "sip:alice@a", "sip:upgraded@a");
            pools.assertCapturedAndReplicated(1, "sip:upgraded@a");
        }
    }

    private static String triggerClass(Connection conn) throws Exception {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT JAVA_CLASS FROM"
                + " INFORMATION_SCHEMA.TRIGGERS WHERE TRIGGER_NAME = 'PP_CAPTURE_USER_CONTACT'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
