package io.poolpair;

import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchName;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import io.poolpair.status.BackupStatus.ImportStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator surface: states, status/sync/config commands, HTTP status, health and metrics. */
class OperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool, String module) throws Exception {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(module);
    }

    @Test
    void exportStatusMovesFromNotInitializedToSteadyToFinal() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            assertEquals(ExportStatus.NotInitialized, status(pools.a, PRESENCE).exportStatus());
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:state@example.com");
            pools.a.syncNow();
            BackupStatus.ModuleStatus steady = status(pools.a, PRESENCE);
            assertEquals(ExportStatus.SteadyState, steady.exportStatus());
            assertEquals(1, steady.unacknowledgedBatches());

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            BackupStatus.ModuleStatus done = status(pools.a, PRESENCE);
            assertEquals(ExportStatus.FinalState, done.exportStatus());
            assertEquals(0, done.oldestUnacknowledgedChangeAgeSeconds());
            assertEquals(ImportStatus.NormalState, status(pools.b, PRESENCE).importStatus());
        }
    }

    @Test
    void moduleWithNothingToSendIsFinalOnceThePeerHasAnswered() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            assertEquals(ExportStatus.NotInitialized, status(pools.a, CMS).exportStatus(), "the peer has not answered yet");
            pools.b.syncNow(); // poolB's cycle writes its cookie for every module, batches or not
            TwoPools.await("poolA hears poolB's cookie for " + CMS,
                    () -> status(pools.a, CMS).exportStatus() == ExportStatus.FinalState);
            assertEquals(0, status(pools.a, CMS).lastExportedBatch());
        }
    }

    @Test
    void syncWithoutWaitExitsOneWhenTheCycleEndsInErrorState() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path category = pools.b.config().shareLocal().resolve("UserServices");
            Files.move(category, dir.resolve("aside-for-sync"));
            Files.writeString(category, "a file where the folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:sync-error@example.com");
            TwoPools.CommandResult sync = TwoPools.cli("sync", "--config", pools.configFile(TwoPools.A).toString());
            assertEquals(1, sync.exit(), sync.out() + sync.err());
            assertTrue(sync.err().contains(PRESENCE + " is in ExportStatus ErrorState"), sync.err());
        }
    }

    @Test
    void reportingCommandsPrintOneJsonObjectWithJson() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            String config = pools.configFile(TwoPools.A).toString();
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:json-sync@example.com");
            TwoPools.CommandResult sync = TwoPools.cli("sync", "--config", config, "--wait", "--json");
            assertEquals(0, sync.exit(), sync.out() + sync.err());
            JsonNode synced = JSON.readTree(sync.out());
            assertEquals("done", synced.get("result").asText());
            assertEquals("service", synced.get("ranIn").asText());
            assertEquals("FinalState", synced.get("status").get("modules").get(0).get("exportStatus").asText());

            JsonNode settings = JSON.readTree(TwoPools.cli("config", "--config", config, "--json").out());
            assertEquals("poolA", settings.get("settings").get("poolpair.pool").get("value").asText());
            assertEquals("******", settings.get("settings").get("poolpair.datasource.password").get("value").asText());

            Path key = dir.resolve("new.key");
            JsonNode keygen = JSON.readTree(TwoPools.cli("keygen", key.toString(), "--json").out());
            assertEquals(key.toAbsolutePath().normalize().toString(), keygen.get("file").asText());
            assertEquals(256, keygen.get("keyBits").asInt());
        }
    }

    @Test
    void failoverDryRunSaysWhatWouldHappenAndChangesNothing() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.CommandResult dryRun = TwoPools.cli("failover", "--config", pools.configFile(TwoPools.B).toString(),
                    "--pool", TwoPools.A, "--dry-run");
            assertEquals(0, dryRun.exit(), dryRun.out() + dryRun.err());
            assertTrue(dryRun.out().contains("dry run: poolB would act for poolA") && dryRun.out().contains("Nothing changed"),
                    dryRun.out());
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_failover"), "no failover recorded");
        }
    }

    @Test
    void backlogBeyondOneCycleIsNonSteadyThenDrainsToFinal() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.max-changes-per-batch", "2",
                "poolpair.max-batches-per-sync", "2"))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            for (int i = 0; i < 9; i++) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:backlog" + i + "@example.com");
            }
            assertEquals(ExportStatus.NonSteadyState, status(pools.a, PRESENCE).exportStatus(), "5 batches > 2 per cycle");
            TwoPools.await("the backlog drains", () -> {
                pools.a.syncNow();
                return status(pools.a, PRESENCE).exportStatus() == ExportStatus.FinalState;
            });
            assertEquals(10, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
        }
    }

    @Test
    void unwritablePeerShareShowsErrorStateNamingTheFolderThenRecovers() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path category = pools.b.config().shareLocal().resolve("UserServices");
            Path aside = dir.resolve("UserServices-aside");
            Files.move(category, aside);
            Files.writeString(category, "a file where the folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:outage@example.com");
            pools.a.syncNow();

            BackupStatus.ModuleStatus failed = status(pools.a, PRESENCE);
            assertEquals(ExportStatus.ErrorState, failed.exportStatus());
            assertTrue(failed.lastError().contains(category.toString()), failed.lastError());
            assertEquals(ExportStatus.NotInitialized, status(pools.a, CMS).exportStatus(), "other modules are unaffected");

            Files.delete(category);
            Files.move(aside, category);
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(ExportStatus.FinalState, status(pools.a, PRESENCE).exportStatus());
            assertNull(status(pools.a, PRESENCE).lastError());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:outage@example.com"), "nothing was lost");
        }
    }

    @Test
    void quarantinedFileSetsImportErrorStateUntilTheNextGoodBatch() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path bad = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            Files.writeString(bad, "this is not a zip");
            TwoPools.await("the file is quarantined", () -> status(pools.b, PRESENCE).quarantinedFiles() == 1
                    && status(pools.b, PRESENCE).importStatus() == ImportStatus.ErrorState);
            BackupStatus.ModuleStatus failed = status(pools.b, PRESENCE);
            assertEquals(ImportStatus.ErrorState, failed.importStatus());
            assertTrue(failed.lastError().contains("not a readable zip"), failed.lastError());

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:good@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(ImportStatus.NormalState, status(pools.b, PRESENCE).importStatus());
        }
    }

    @Test
    void statusCommandExitCodesAndJsonContract() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            String config = pools.configFile(TwoPools.A).toString();
            assertEquals(1, TwoPools.cli("status", "--config", config).exit(), "NotInitialized is not healthy");

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:json@example.com");
            TwoPools.exec(pools.a, "INSERT INTO cms_document (doc_id, version, home_pool) VALUES ('d1', 1, 'poolA')");
            TwoPools.exec(pools.a, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                    + " VALUES (1, 'agenda.txt', 0, 'none', 'poolA')");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            pools.awaitAcknowledged(pools.a, CMS, 1);
            pools.awaitAcknowledged(pools.a, "ConfServices.DataConf", 1);
            TwoPools.CommandResult ok = TwoPools.cli("status", "--config", config, "--json");
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            JsonNode json = JSON.readTree(ok.out());
            assertEquals("poolA", json.get("pool").asText());
            assertEquals("poolB", json.get("peer").asText());
            JsonNode module = json.get("modules").get(0);
            for (String field : new String[] {"module", "exportStatus", "importStatus", "pendingChanges",
                    "unacknowledgedBatches", "lastExportedBatch", "lastAcknowledgedBatch", "lastAppliedBatch",
                    "oldestUnacknowledgedChangeAgeSeconds", "quarantinedFiles", "lastError"}) {
                assertTrue(module.has(field), "status --json lacks " + field);
            }
            assertEquals("FinalState", module.get("exportStatus").asText());
            assertEquals(1, module.get("lastAcknowledgedBatch").asLong());

            TwoPools.CommandResult table = TwoPools.cli("status", "--config", config, "--module", PRESENCE);
            assertTrue(table.out().contains("ExportStatus             FinalState"), table.out());
            assertEquals(2, TwoPools.cli("status", "--config", config, "--module", "No.Such").exit());
            assertEquals(2, TwoPools.cli("status", "--config", config, "--no-such-option").exit());
        }
    }

    @Test
    void syncWaitReturnsOnceAcknowledgedThroughTheRunningService() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:wait@example.com");
            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(TwoPools.A).toString(),
                    "--module", PRESENCE, "--wait", "--timeout", "PT30S");
            assertEquals(0, result.exit(), result.out() + result.err());
            assertTrue(result.out().contains("ran in the running service"), result.out());
            assertTrue(result.out().contains("FinalState"), result.out());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:wait@example.com"));
        }
    }

    @Test
    void syncWaitRunsInProcessWhenTheServiceIsStopped() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:offline@example.com");
            pools.a.close();
            pools.a = null;
            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(TwoPools.A).toString(),
                    "--wait", "--timeout", "PT30S");
            assertEquals(0, result.exit(), result.out() + result.err());
            assertTrue(result.out().contains("in this process"), result.out());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:offline@example.com"));
        }
    }

    @Test
    void configCommandShowsSourcesAndMasksTheKey() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.close();
            TwoPools.CommandResult result = TwoPools.cli("config", "--config", pools.configFile(TwoPools.A).toString());
            assertEquals(0, result.exit(), result.err());
            assertTrue(result.out().matches("(?s).*poolpair\\.key\\s+= \\*\\*\\*\\*\\*\\*\\s+\\(file .*"), result.out());
            assertTrue(result.out().matches("(?s).*poolpair\\.max-batches-per-sync\\s+= 500\\s+\\(default\\).*"), result.out());
            assertTrue(!result.out().contains(new String(pools.config(TwoPools.A).key())), "the key is printed");
        }
    }

    @Test
    void healthGoesDownOnErrorStateAndMetricsListPoolpairMeters() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            String base = "http://127.0.0.1:" + pools.a.config().httpPort();
            // UP once every consumer has polled its folder for the first time
            TwoPools.await("health UP after start", () -> get(base + "/observe/health").statusCode() == 200);

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:metrics@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            String metrics = get(base + "/observe/metrics").body();
            assertTrue(metrics.contains("poolpair_exported_batches_total{module=\"UserServices.PresenceFocus\",pool=\"poolA\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("poolpair_pending_changes{module=\"UserServices.PresenceFocus\",pool=\"poolA\"} 0.0"), metrics);
            assertTrue(metrics.contains("poolpair_recovery_point_age_seconds"), metrics);
            JsonNode status = JSON.readTree(get(base + "/poolpair/status").body());
            assertEquals("FinalState", status.get("modules").get(0).get("exportStatus").asText());

            Path category = pools.b.config().shareLocal().resolve("UserServices");
            Path aside = dir.resolve("aside");
            Files.move(category, aside);
            Files.writeString(category, "blocked");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:down@example.com");
            pools.a.syncNow();
            HttpResponse<String> down = get(base + "/observe/health");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("ErrorState"), down.body());
            // readiness only: a restart would not cure the peer's share, so liveness stays UP
            HttpResponse<String> ready = get(base + "/observe/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            HttpResponse<String> live = get(base + "/observe/health/live");
            assertEquals(200, live.statusCode(), live.body());

            Files.delete(category);
            Files.move(aside, category);
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 2);
            TwoPools.await("health UP after recovery", () -> get(base + "/observe/health").statusCode() == 200);
            // camel.health.exposure-level = default: UP alone; the checks' details only when one is DOWN
            String up = get(base + "/observe/health").body();
            assertTrue(up.contains("\"status\":\"UP\"") && !up.contains("oldestUnacknowledgedChangeAgeSeconds"), up);
        }
    }

    @Test
    void healthGoesDownWhenTheRecoveryPointIsOlderThanRpoAlert() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.rpo-alert", "PT1S"))) {
            String base = "http://127.0.0.1:" + pools.a.config().httpPort();
            TwoPools.await("health UP after start", () -> get(base + "/observe/health").statusCode() == 200);
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:rpo@example.com");
            TwoPools.await("health DOWN for the recovery point", () -> get(base + "/observe/health").statusCode() == 503);
            assertTrue(get(base + "/observe/health").body().contains("over poolpair.rpo-alert PT1S"));
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            TwoPools.await("health UP once acknowledged", () -> get(base + "/observe/health").statusCode() == 200);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
