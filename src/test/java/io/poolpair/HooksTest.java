package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.config.PoolConfig;
import io.poolpair.status.BackupStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension points of routes/hooks.camel.yaml: they do nothing by default, and an integrator's edit of
 * the YAML text (a copy of the routes folder, as an integrator keeps it) changes what a pool does at its
 * next start, without a rebuild.
 */
class HooksTest {

    @TempDir
    Path dir;

    /** The quarantine alert of the README, writing to {@code alerts}. */
    static String quarantineAlert(Path alerts) {
        return """
                        - log:
                            loggingLevel: WARN
                            logName: poolpair.alerts
                            message: "${header.PoolPairPool}: quarantined ${header.PoolPairBatchFile}: ${header.PoolPairReason}"
                        - setBody:
                            simple:
                              expression: "${header.PoolPairPool} quarantined ${header.PoolPairBatchFile} as ${header.PoolPairQuarantinedAs}: ${header.PoolPairReason}\\n"
                              trim: false
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: quarantine-alerts.log
                              fileExist: Append
                """.formatted(alerts);
    }

    /** An audit line per applied batch. */
    static String appliedAudit(Path audit) {
        return """
                        - setBody:
                            simple:
                              expression: "${header.PoolPairPool} applied ${header.PoolPairBatchFile} batch ${header.PoolPairBatch} of ${header.PoolPairPeer}: ${header.PoolPairRows} rows\\n"
                              trim: false
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: applied.log
                              fileExist: Append
                """.formatted(audit);
    }

    @Test
    void editedHookRoutesChangeWhatAPoolDoesAtItsNextStartWithoutARebuild() throws Exception {
        Path routes = copyRoutes(dir.resolve("my-routes"));
        Path alerts = dir.resolve("alerts");
        Path audit = dir.resolve("audit");
        Map<String, String> onCopy = Map.of("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        Path pairDir = dir.resolve("pair");

        // as shipped: the hooks are called and do nothing
        try (TwoPools pools = TwoPools.start(pairDir, onCopy)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            Path bad = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 2).fileName());
            Files.writeString(bad, "this is not a zip");
            TwoPools.await("the file is quarantined", () -> pools.importState(pools.b, PRESENCE).quarantined() == 1);
        }
        assertFalse(Files.exists(alerts), "the shipped hooks write nothing");
        assertFalse(Files.exists(audit), "the shipped hooks write nothing");

        // the integrator edits two hook routes in the YAML text
        Path hooks = routes.resolve("hooks.camel.yaml");
        String text = Files.readString(hooks);
        text = replaceSteps(text, "on-file-quarantined", quarantineAlert(alerts));
        text = replaceSteps(text, "on-batch-applied", appliedAudit(audit));
        Files.writeString(hooks, text);

        try (TwoPools pools = TwoPools.start(pairDir, onCopy)) {
            Path bad = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 2).fileName());
            Files.writeString(bad, "still not a zip");
            Path alertLog = alerts.resolve("quarantine-alerts.log");
            TwoPools.await("the quarantine alert is written", () -> Files.exists(alertLog)
                    && Files.readString(alertLog).endsWith("\n"));
            String alert = Files.readString(alertLog);
            assertTrue(alert.startsWith("poolB quarantined UserServices/PresenceFocus/Data/" + bad.getFileName() + " as "
                    + pools.b.config().quarantine().resolve(PRESENCE)), alert);
            assertTrue(alert.contains("not a readable zip"), alert);

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:second@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 2);
            Path auditLog = audit.resolve("applied.log");
            TwoPools.await("the audit line is written", () -> Files.exists(auditLog)
                    && Files.readString(auditLog).endsWith("\n"));
            assertTrue(Files.readString(auditLog).equals("poolB applied UserServices/PresenceFocus/Data/"
                    + new BatchName("poolA", PRESENCE, 2).fileName() + " batch 2 of poolA: 1 rows\n"), Files.readString(auditLog));
            assertTrue(TwoPools.contacts(pools.b, "sip:second@example.com") == 1, "replication goes on as before");
        }
    }

    @Test
    void aFailingHookNeitherStopsNorFailsReplication() throws Exception {
        Path routes = copyRoutes(dir.resolve("failing-routes"));
        Path hooks = routes.resolve("hooks.camel.yaml");
        Path calls = dir.resolve("hook-calls");
        // each hook notes that it was called, then fails
        String failing = """
                        - setBody:
                            simple:
                              expression: "${header.PoolPairEvent} ${header.PoolPairBatchFile}\\n"
                              trim: false
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: calls.log
                              fileExist: Append
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "the ticket system is down"
                """.formatted(calls);
        String text = replaceSteps(Files.readString(hooks), "on-batch-published", failing);
        Files.writeString(hooks, replaceSteps(text, "on-batch-applied", failing));
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"), Map.of("camel.main.routes-include-pattern",
                "file:" + routes + "/*.camel.yaml"))) {
            for (int i = 1; i <= 2; i++) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:hook-down-" + i + "@example.com");
                pools.a.syncNow();
                pools.awaitAcknowledged(pools.a, PRESENCE, i);
            }
            assertTrue(TwoPools.contacts(pools.b, "sip:hook-down-2@example.com") == 1);
            assertEquals(BackupStatus.ExportStatus.FinalState,
                    new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE).exportStatus());
            assertEquals(BackupStatus.ImportStatus.NormalState,
                    new BackupStatus(pools.b.config(), pools.b.store().dataSource()).module(PRESENCE).importStatus());
            // the failing hooks did run, once per batch and event (the hooks run on a copy, after the step: wait)
            Path callLog = calls.resolve("calls.log");
            TwoPools.await("both failing hooks ran for both batches", () -> Files.exists(callLog)
                    && Files.readString(callLog).lines().count() >= 4);
            for (int i = 1; i <= 2; i++) {
                String file = new BatchName("poolA", PRESENCE, i).fileName();
                String log = Files.readString(callLog);
                assertTrue(log.contains("batch-published UserServices/PresenceFocus/Data/" + file + "\n"), log);
                assertTrue(log.contains("batch-applied UserServices/PresenceFocus/Data/" + file + "\n"), log);
            }
        }
    }

    @Test
    void failedExportReachesItsHookWithTheReasonAndNoFile() throws Exception {
        Path routes = copyRoutes(dir.resolve("export-failed-routes"));
        Path hooks = routes.resolve("hooks.camel.yaml");
        Path calls = dir.resolve("export-failures");
        Files.writeString(hooks, replaceSteps(Files.readString(hooks), "on-export-failed", """
                        - setBody:
                            simple:
                              expression: "${header.PoolPairEvent} ${header.PoolPairModule} file=[${header.PoolPairBatchFile}] ${header.PoolPairReason}\\n"
                              trim: false
                        - to:
                            uri: "file:%s"
                            parameters:
                              fileName: calls.log
                              fileExist: Append
                """.formatted(calls)));
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"), Map.of("camel.main.routes-include-pattern",
                "file:" + routes + "/*.camel.yaml"))) {
            // a file where the outbox folder should be: staging the batch fails
            Path outbox = pools.a.config().outbox();
            Files.move(outbox, dir.resolve("outbox-aside"));
            Files.writeString(outbox, "a file where the outbox folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:export-fails@example.com");
            pools.a.syncNow();
            Path callLog = calls.resolve("calls.log");
            TwoPools.await("the export-failed hook ran", () -> Files.exists(callLog)
                    && Files.readString(callLog).endsWith("\n"));
            String call = Files.readString(callLog).lines().findFirst().orElseThrow();
            assertTrue(call.startsWith("export-failed " + PRESENCE + " file=[] "), call);
            assertTrue(call.contains(outbox.toString()), "the reason names the outbox: " + call);
        }
    }

    private static Path copyRoutes(Path routes) throws IOException {
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(PoolConfig.locateHome().resolve("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        return routes;
    }

    /** Replaces the steps of the hook route {@code id} (everything after its {@code steps:} up to the next route). */
    private static String replaceSteps(String yaml, String id, String steps) throws IOException {
        int route = yaml.indexOf("    id: " + id + "\n");
        assertTrue(route > 0, "hooks.camel.yaml defines " + id);
        int start = yaml.indexOf("      steps:\n", route) + "      steps:\n".length();
        int end = yaml.indexOf("\n- route:", start);
        end = end < 0 ? yaml.length() : end + 1;
        return yaml.substring(0, start) + steps + "\n" + yaml.substring(end);
    }
}
