package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.demo.StoreComparison;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.runtime.EmbeddedPool;
import io.poolpair.store.TableInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes and beans run unchanged in a Camel runtime that is not camel-main: each pool is a plain
 * DefaultCamelContext that loads routes/*.camel.yaml through Camel's routes loader and gets the beans
 * through {@link EmbeddedPool}, as an integrator's existing runtime would.
 */
class EmbeddingTest {

    @TempDir
    Path dir;

    /** A host context as an integrator's runtime makes one: its own context, poolpair's routes and beans added. */
    private static CamelContext hostContext(EmbeddedPoolHolder holder, PoolConfig config) throws Exception {
        CamelContext context = new DefaultCamelContext();
        holder.pool = EmbeddedPool.install(context, config);
        List<Resource> routes;
        try (Stream<Path> files = Files.list(config.home().resolve("routes"))) {
            routes = files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted()
                    .map(p -> ResourceHelper.resolveResource(context, "file:" + p)).toList();
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(routes);
        context.start();
        return context;
    }

    private static final class EmbeddedPoolHolder {
        EmbeddedPool pool;
    }

    @Test
    void twoPoolsReplicateBothWaysFromPlainDefaultCamelContexts() throws Exception {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        // the routes' HTTP operations use camel-platform-http-main's server; a host serves HTTP its own way
        Map<String, String> settings = Map.of("poolpair.export.on-schedule", "false", "poolpair.http.enabled", "false",
                "poolpair.import.poll-delay", "PT0.1S");
        EmbeddedPoolHolder a = new EmbeddedPoolHolder();
        EmbeddedPoolHolder b = new EmbeddedPoolHolder();
        CamelContext contextA = hostContext(a, pair.config(A, B, settings));
        CamelContext contextB = hostContext(b, pair.config(B, A, settings));
        try (ProducerTemplate templateA = contextA.createProducerTemplate();
             ProducerTemplate templateB = contextB.createProducerTemplate()) {
            exec(a.pool, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                    + " VALUES ('sip:alice@poolA', 'sip:from-a@example.com', 'Friends', 'From A', 'poolA')");
            exec(b.pool, "INSERT INTO cms_document (doc_id, version, content, home_pool) VALUES ('topology-b', 1, 'xml', 'poolB')");
            templateA.sendBody("direct:sync", null);
            templateB.sendBody("direct:sync", null);

            TwoPools.await("both directions applied and acknowledged", () ->
                    new ImportState(b.pool.store().dataSource(), A).get(PRESENCE).lastApplied() == 1
                            && new ImportState(a.pool.store().dataSource(), B).get(TwoPools.CMS).lastApplied() == 1
                            && new ExportState(a.pool.store().dataSource()).get(PRESENCE).ackedBatch() == 1
                            && new ExportState(b.pool.store().dataSource()).get(TwoPools.CMS).ackedBatch() == 1);
            assertEquals(1, count(b.pool, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = 'sip:from-a@example.com'"));
            assertEquals(1, count(a.pool, "SELECT COUNT(*) FROM cms_document WHERE doc_id = 'topology-b'"));
            for (TableInfo table : a.pool.store().catalog().all()) {
                assertEquals(StoreComparison.rows(a.pool.store().dataSource(), a.pool.store().dialect(), table),
                        StoreComparison.rows(b.pool.store().dataSource(), b.pool.store().dialect(),
                                b.pool.store().catalog().table(table.name())), table.name());
            }
        } finally {
            contextA.stop();
            contextB.stop();
            a.pool.close();
            b.pool.close();
        }
    }

    private static void exec(EmbeddedPool pool, String sql) throws Exception {
        try (Connection c = pool.store().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }

    private static long count(EmbeddedPool pool, String sql) throws Exception {
        try (Connection c = pool.store().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
