package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.poolpair.config.ModuleConfig;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.StatusGauges;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The metrics as Prometheus and Grafana read them: the dashboard and the alert rules shipped in docs/ parse, and every
 * metric they name is in a real scrape of a running pool; and a scrape runs no SQL (the gauges read a snapshot).
 */
class MonitoringFilesTest {

    private static final Pattern METRIC = Pattern.compile("\\bpoolpair_[a-z_]+");

    @TempDir
    Path dir;

    @Test
    void dashboardAndAlertRulesNameOnlyMetricsAScrapeHas() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:scrape@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + pools.a.config().httpPort() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Set<String> scraped = new TreeSet<>();
            for (String line : scrape.lines().toList()) {
                Matcher m = METRIC.matcher(line);
                if (!line.startsWith("#") && m.lookingAt()) {
                    scraped.add(m.group());
                }
            }
            assertTrue(scrape.contains("poolpair_exported_batches_total{module=\"" + PRESENCE + "\",pool=\"poolA\"} 1.0"), scrape);

            JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("docs/grafana-dashboard.json")));
            List<String> exprs = new ArrayList<>();
            dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
            assertFalse(exprs.isEmpty(), "the dashboard has panels with queries");

            Object rules = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(Path.of("docs/prometheus-alerts.yml")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rules).get("groups");
            int alerts = 0;
            for (Map<String, Object> group : groups) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> list = (List<Map<String, Object>>) group.get("rules");
                for (Map<String, Object> rule : list) {
                    assertTrue(rule.get("alert") instanceof String && rule.get("expr") instanceof String
                            && ((Map<?, ?>) rule.get("labels")).get("severity") != null
                            && ((Map<?, ?>) rule.get("annotations")).get("summary") != null, "a complete rule: " + rule);
                    exprs.add((String) rule.get("expr"));
                    alerts++;
                }
            }
            assertTrue(alerts >= 4, "alert rules: RPO, ErrorState, stuck gap, quarantine");

            Set<String> named = new TreeSet<>();
            for (String expr : exprs) {
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    named.add(m.group());
                }
            }
            Set<String> missing = new TreeSet<>(named);
            missing.removeAll(scraped);
            assertEquals(Set.of(), missing, "named in docs/ but not in a scrape of a running pool; scraped: " + scraped);
        }
    }

    @Test
    void aScrapeRunsNoSql() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            AtomicInteger statements = new AtomicInteger();
            DataSource counting = counting(pools.a.store().dataSource(), statements);
            BackupStatus status = new BackupStatus(pools.a.config(), counting, null);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            List<String> modules = pools.a.config().modules().stream().map(ModuleConfig::name).toList();
            StatusGauges.register(registry, status, "poolA", modules);
            assertTrue(statements.get() > 0, "the snapshot is read from the database");
            statements.set(0);
            for (int i = 0; i < 3; i++) {
                assertTrue(registry.scrape().contains("poolpair_pending_changes"));
            }
            assertEquals(0, statements.get(), "SQL statements run by three scrapes");
        }
    }

    /** A data source whose connections count the statements they prepare or create. */
    private static DataSource counting(DataSource real, AtomicInteger statements) {
        return (DataSource) Proxy.newProxyInstance(MonitoringFilesTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (result instanceof Connection conn) {
                        return Proxy.newProxyInstance(MonitoringFilesTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                                (p, m, a) -> {
                                    if (m.getName().startsWith("prepare") || m.getName().equals("createStatement")) {
                                        statements.incrementAndGet();
                                    }
                                    return invoke(m, conn, a);
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
