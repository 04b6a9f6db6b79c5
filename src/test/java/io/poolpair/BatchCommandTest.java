package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batch list}, {@code batch show} and {@code batch release} on real pools: real batches, a real quarantine
 * written by the import route, the importer's own checks.
 */
class BatchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A pair key poolB is started with by mistake: poolA's batches fail its signature check. */
    private static final String WRONG_KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private static Path onlyQuarantined(TwoPools pools) throws Exception {
        Path folder = pools.b.config().quarantine().resolve(PRESENCE);
        TwoPools.await("a file is quarantined on poolB", () -> Files.isDirectory(folder)
                && pools.importState(pools.b, PRESENCE).quarantined() == 1);
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".zip")).findFirst().orElseThrow();
        }
    }

    @Test
    void batchQuarantinedUnderAWrongKeyIsReleasedOnceTheKeyIsFixedAndThenApplied() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), Map.of(), Map.of("poolpair.key", WRONG_KEY))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:held@example.com");
            pools.a.syncNow();
            Path quarantined = onlyQuarantined(pools);
            assertTrue(Files.readString(quarantined.resolveSibling(quarantined.getFileName() + ".reason"))
                    .contains("not a batch manifest's signature under the pair's key"));
            // poolA stays down: nothing re-sends the batch, only the release brings it back
            pools.a.close();
            pools.a = null;

            pools.perPool.put(B, Map.of()); // the key fixed: poolB runs with the pair's key from its file
            pools.restart(pools.b);
            TwoPools.CommandResult released = TwoPools.cli("batch", "release", "--config", pools.configFile(B).toString(),
                    quarantined.toString());
            assertEquals(0, released.exit(), released.out() + released.err());
            assertFalse(Files.exists(quarantined), "the quarantined copy goes once released");
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:held@example.com"));
        }
    }

    @Test
    void tamperedQuarantinedBatchIsRefusedWithItsReasonAndStaysInQuarantine() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:tampered@example.com");
            pools.a.syncNow();
            Path genuine = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName(A, PRESENCE, 1).fileName());
            Map<String, byte[]> entries = TestZips.read(Files.readAllBytes(genuine));
            entries.put("manifest.sig", new Signer(WRONG_KEY.getBytes(StandardCharsets.US_ASCII))
                    .sign(Signer.Kind.BATCH_MANIFEST, entries.get("manifest.json")).getBytes(StandardCharsets.US_ASCII));
            Files.write(genuine, TestZips.zip(entries));
            pools.b.context().getRouteController().startRoute("import-batches");
            Path quarantined = onlyQuarantined(pools);

            TwoPools.CommandResult refused = TwoPools.cli("batch", "release", "--config", pools.configFile(B).toString(),
                    quarantined.toString(), "--json");
            assertEquals(1, refused.exit(), refused.out() + refused.err());
            assertTrue(refused.err().contains("still fails the importer's checks: manifest.sig is not a batch manifest's"
                    + " signature under the pair's key"), refused.err());
            JsonNode json = JSON.readTree(refused.out());
            assertFalse(json.get("released").asBoolean());
            assertTrue(Files.exists(quarantined), "a refused file stays in quarantine");
            assertFalse(Files.exists(genuine), "nothing is put back into the share");
            assertEquals(0, pools.importState(pools.b, PRESENCE).lastApplied());

            TwoPools.CommandResult shown = TwoPools.cli("batch", "show", "--config", pools.configFile(B).toString(),
                    quarantined.toString());
            assertEquals(1, shown.exit(), shown.out() + shown.err());
            assertTrue(shown.out().contains("Verdict:     rejected: manifest.sig is not"), shown.out());
            assertTrue(shown.out().contains("as the file claims (NOT verified)"), shown.out());
        }
    }

    @Test
    void showPrintsTheVerifiedManifestAndRowsPerTableOfAWaitingBatch() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:one@example.com");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:two@example.com");
            pools.a.syncNow();
            Path batch = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName(A, PRESENCE, 1).fileName());
            TwoPools.CommandResult shown = TwoPools.cli("batch", "show", "--config", pools.configFile(B).toString(),
                    batch.toString(), "--json");
            assertEquals(0, shown.exit(), shown.out() + shown.err());
            JsonNode json = JSON.readTree(shown.out());
            assertTrue(json.get("passes").asBoolean());
            assertEquals("poolA -> poolB", json.get("direction").asText());
            assertEquals(1, json.get("manifest").get("batch").asLong());
            assertEquals(2, json.get("rows").get("user_contact").get("upserts").asLong());
            assertTrue(Files.exists(batch), "show leaves the file where it is");
            assertEquals(0, TwoPools.contacts(pools.b, "sip:one@example.com"), "show applies nothing");
        }
    }

    @Test
    void listShowsStagedPublishedWaitingAcknowledgedAndQuarantinedFiles() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path dataB = pools.dataFolder(pools.b, PRESENCE);
            // batch 1: applied by poolB and acknowledged; a copy of it comes back later as a duplicate
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:1@example.com");
            pools.a.syncNow();
            byte[] batch1 = Files.readAllBytes(dataB.resolve(new BatchName(A, PRESENCE, 1).fileName()));
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            // a file from a pool that is not the peer: quarantined
            Files.write(dataB.resolve("poolX-" + PRESENCE + "-000000000001.zip"), batch1);
            onlyQuarantined(pools);
            pools.b.context().getRouteController().stopRoute("import-batches");
            // batch 2 published and waiting; batch 3 staged (its copy in the share lost)
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:2@example.com");
            pools.a.syncNow();
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:3@example.com");
            pools.a.syncNow();
            Files.delete(dataB.resolve(new BatchName(A, PRESENCE, 3).fileName()));
            Files.write(dataB.resolve(new BatchName(A, PRESENCE, 1).fileName()), batch1);

            Map<String, String> onA = states(TwoPools.cli("batch", "list", "--config", pools.configFile(A).toString(), "--json"));
            assertEquals("published", onA.get("outbox 2"), onA.toString());
            assertTrue(onA.get("outbox 3").startsWith("staged: not in the peer's share"), onA.toString());
            assertEquals("published", onA.get("peerShare 2"), onA.toString());
            Map<String, String> onB = states(TwoPools.cli("batch", "list", "--config", pools.configFile(B).toString(), "--json"));
            assertEquals("acknowledged: applied here already (a duplicate)", onB.get("localShare 1"), onB.toString());
            assertEquals("waiting: next to apply", onB.get("localShare 2"), onB.toString());
            assertTrue(onB.get("quarantine 1").startsWith("quarantined: the file comes from pool 'poolX'"), onB.toString());

            TwoPools.CommandResult table = TwoPools.cli("batch", "list", "--config", pools.configFile(B).toString());
            assertEquals(0, table.exit(), table.err());
            assertTrue(table.out().contains("quarantine  quarantined"), table.out());
        }
    }

    @Test
    void showOfAFileThatIsNotThereExitsTwoNamingIt() {
        Path missing = dir.resolve("poolA-" + PRESENCE + "-000000000001.zip");
        TwoPools.CommandResult result = TwoPools.cli("batch", "show", "--config", dir.resolve("poolB.properties").toString(),
                missing.toString());
        assertEquals(2, result.exit(), result.out() + result.err());
        assertTrue(result.err().contains(missing + " is not a file"), result.err());
    }

    /** "location batch" → "state[: reason]" from {@code batch list --json}. */
    private static Map<String, String> states(TwoPools.CommandResult result) throws Exception {
        assertEquals(0, result.exit(), result.out() + result.err());
        Map<String, String> states = new HashMap<>();
        for (JsonNode f : JSON.readTree(result.out()).get("files")) {
            states.put(f.get("location").asText() + " " + f.get("batch").asLong(), f.get("state").asText()
                    + (f.get("reason").isNull() ? "" : ": " + f.get("reason").asText()));
        }
        return states;
    }
}
