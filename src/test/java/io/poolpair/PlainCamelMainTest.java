package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/ runs in a plain camel-main application given only properties: camel-main's own
 * {@code camel.main.configuration-classes} names {@link io.poolpair.runtime.PoolPairConfiguration}, which binds the
 * beans from the pool file named in {@code poolpair.config-file}; no poolpair code starts anything.
 */
class PlainCamelMainTest {

    @TempDir
    Path dir;

    /** A camel-main application as an integrator writes one: properties only. */
    private static Main plainMain(Path poolFile) {
        Properties properties = new Properties();
        properties.setProperty("camel.main.configuration-classes", "io.poolpair.runtime.PoolPairConfiguration");
        properties.setProperty("camel.main.routes-include-pattern",
                "file:" + PoolConfig.locateHome().resolve("routes") + "/*.camel.yaml");
        properties.setProperty("poolpair.config-file", poolFile.toString());
        Main main = new Main();
        main.setInitialProperties(properties);
        return main;
    }

    @Test
    void twoPlainCamelMainsGivenOnlyPropertiesExportAndImportABatch() throws Exception {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        pair.config(A, B, Map.of());
        pair.config(B, A, Map.of());
        for (String pool : new String[] {A, B}) {
            // the pool file as an integrator edits it: no schedule (the test drives the cycle), no HTTP server
            Files.writeString(dir.resolve(pool + ".properties"), "poolpair.export.on-schedule = false\n"
                    + "poolpair.http.enabled = false\npoolpair.import.poll-delay = PT0.1S\n", StandardOpenOption.APPEND);
        }
        Main a = plainMain(dir.resolve(A + ".properties"));
        Main b = plainMain(dir.resolve(B + ".properties"));
        try {
            a.start();
            b.start();
            CamelContext contextA = a.getCamelContext();
            CamelContext contextB = b.getCamelContext();
            DataSource storeA = contextA.getRegistry().lookupByNameAndType("poolpairDataSource", DataSource.class);
            DataSource storeB = contextB.getRegistry().lookupByNameAndType("poolpairDataSource", DataSource.class);
            try (Connection c = storeA.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                            + " VALUES ('sip:alice@poolA', 'sip:plain-main@example.com', 'Friends', 'Plain', 'poolA')")) {
                ps.executeUpdate();
            }
            try (ProducerTemplate template = contextA.createProducerTemplate()) {
                template.sendBody("direct:sync", null);
            }
            TwoPools.await("poolB applied batch 1 and poolA read its acknowledgement", () ->
                    new ImportState(storeB, A).get(PRESENCE).lastApplied() == 1
                            && new ExportState(storeA).get(PRESENCE).ackedBatch() == 1);
            try (Connection c = storeB.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM user_contact WHERE contact_uri = 'sip:plain-main@example.com'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getLong(1));
            }
        } finally {
            a.stop();
            b.stop();
        }
    }
}
