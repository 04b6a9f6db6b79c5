package io.poolpair;

import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchName;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page served by the pool's HTTP server, loaded in headless Chromium: both directions' modules with
 * their states, backlog, recovery point and last error, and the recovery-point chart drawn from the recorded
 * samples.
 */
class StatusPageTest {

    @TempDir
    Path dir;

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool, String module) throws Exception {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(module);
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    @Test
    void statusPageShowsBothDirectionsAndARecoveryPointChartInHeadlessChromium() throws Exception {
        Chromium chromium = Chromium.find(dir);
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"))) {
            // a backlog that waits for poolB: each export cycle samples the growing recovery point
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:chart@example.com");
            TwoPools.await("the recovery point is 2 s old", () -> {
                pools.a.syncNow();
                return status(pools.a, PRESENCE).oldestUnacknowledgedChangeAgeSeconds() >= 2;
            });
            pools.a.syncNow(); // a cycle samples the recovery point once it is 2 s old (the last one may have run just before)
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            pools.a.syncNow();

            // CMSMaster cannot be published: the peer's category folder is a file
            Path category = pools.b.config().shareLocal().resolve("CentralMgmt");
            Files.move(category, dir.resolve("CentralMgmt-aside"));
            Files.writeString(category, "not a folder");
            TwoPools.exec(pools.a, "INSERT INTO cms_document (doc_id, version, content, home_pool) VALUES ('topology', 1, 'x', 'poolA')");
            pools.a.syncNow();
            assertEquals(ExportStatus.ErrorState, status(pools.a, CMS).exportStatus());

            // and poolA rejects a file in its own share (import direction poolB → poolA)
            Files.writeString(pools.dataFolder(pools.a, PRESENCE).resolve(new BatchName("poolB", PRESENCE, 1).fileName()),
                    "not a zip");
            TwoPools.await("poolA quarantines the file", () -> status(pools.a, PRESENCE).quarantinedFiles() == 1
                    && status(pools.a, PRESENCE).importStatus() == BackupStatus.ImportStatus.ErrorState);

            String base = "http://127.0.0.1:" + pools.a.config().httpPort();
            JsonNode history = new ObjectMapper().readTree(get(base + "/poolpair/status/history"));
            List<Long> presence = new ArrayList<>();
            history.get("samples").forEach(s -> {
                if (s.get("module").asText().equals(PRESENCE)) {
                    presence.add(s.get("recoveryPointSeconds").asLong());
                }
            });
            assertTrue(presence.stream().anyMatch(v -> v >= 2), "recorded samples: " + presence);
            assertEquals(0L, presence.get(presence.size() - 1), "acknowledged: the recovery point is back to 0: " + presence);

            String dom = chromium.dumpDom(base + "/poolpair/status.html");
            assertTrue(!dom.contains("id=\"updated\">never<"), "the page's script loaded the status");
            String exportPresence = row(dom, "export", PRESENCE);
            assertTrue(exportPresence.contains("FinalState"), exportPresence);
            assertTrue(exportPresence.contains("0 s"), exportPresence);
            String exportCms = row(dom, "export", CMS);
            assertTrue(exportCms.contains("ErrorState"), exportCms);
            // the page reads /poolpair/status without the pool's token: the error text (it names the folder) is withheld
            assertTrue(exportCms.contains("details withheld") && !exportCms.contains(category.toString()), exportCms);
            assertTrue(exportCms.contains(">1<"), "one unacknowledged batch: " + exportCms);
            String importPresence = row(dom, "import", PRESENCE);
            assertTrue(importPresence.contains("ErrorState") && importPresence.contains("details withheld")
                    && !importPresence.contains("not a readable zip"), importPresence);
            assertTrue(row(dom, "import", CMS).contains("NormalState"), row(dom, "import", CMS));

            Matcher line = Pattern.compile("<polyline[^>]*data-module=\"" + Pattern.quote(PRESENCE)
                    + "\"[^>]*data-samples=\"(\\d+)\"").matcher(dom);
            assertTrue(line.find(), "the chart has a line for " + PRESENCE);
            assertEquals(presence.size(), Integer.parseInt(line.group(1)), "one point per recorded sample");

            Path png = Path.of("target", "status-page.png");
            Files.createDirectories(png.getParent());
            Files.deleteIfExists(png);
            byte[] shot = chromium.screenshot(base + "/poolpair/status.html", png, 1400, 1100);
            assertTrue(shot.length > 10_000 && shot[1] == 'P' && shot[2] == 'N' && shot[3] == 'G',
                    "a PNG screenshot of the page, " + shot.length + " bytes");
        }
    }

    /** The table row of {@code module} in the table {@code id} of the dumped DOM. */
    private static String row(String dom, String table, String module) {
        int t = dom.indexOf("<table id=\"" + table + "\"");
        int r = dom.indexOf("<tr data-module=\"" + module + "\"", t);
        assertTrue(t >= 0 && r >= 0, "table " + table + " has a row for " + module + ":\n" + dom);
        return dom.substring(r, dom.indexOf("</tr>", r));
    }
}
