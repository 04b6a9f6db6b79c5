package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken files in the share are moved to quarantine with their reason before anything is applied,
 * status keeps the reason, and the genuine batch that follows is applied as usual.
 */
class QuarantineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void batchWithWrongSignatureIsQuarantined() throws Exception {
        assertQuarantined("not a batch manifest's signature under the pair's key", (genuine, key) -> {
            Map<String, byte[]> entries = TestZips.read(genuine);
            entries.put("manifest.sig", new Signer("another-pair's-key-of-at-least-32-bytes".getBytes())
                    .sign(Signer.Kind.BATCH_MANIFEST, entries.get("manifest.json")).getBytes(StandardCharsets.US_ASCII));
            return TestZips.zip(entries);
        }, null);
    }

    @Test
    void batchFromAnotherPoolIsQuarantined() throws Exception {
        assertQuarantined("comes from pool 'poolX', not from the paired pool 'poolA'", (genuine, key) -> genuine,
                "poolX-UserServices.PresenceFocus-000000000001.zip");
    }

    @Test
    void batchWithPathTraversalEntryIsQuarantined() throws Exception {
        assertQuarantined("unsafe entry name '../../escape.txt'", (genuine, key) -> {
            Map<String, byte[]> entries = TestZips.read(genuine);
            entries.put("../../escape.txt", "owned".getBytes());
            return TestZips.zip(entries);
        }, null);
        try (Stream<Path> files = Files.walk(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("escape.txt")), "an entry escaped the share");
        }
    }

    @Test
    void batchWithAbsoluteEntryNameIsQuarantined() throws Exception {
        assertQuarantined("unsafe entry name '/etc/cron.d/poolpair'", (genuine, key) -> {
            Map<String, byte[]> entries = TestZips.read(genuine);
            entries.put("/etc/cron.d/poolpair", "* * * * * root true".getBytes());
            return TestZips.zip(entries);
        }, null);
    }

    @Test
    void rowNamingAColumnThatIsNotThereIsQuarantined() throws Exception {
        assertQuarantined("table user_contact has no column 'salary'", (genuine, key) -> {
            Map<String, byte[]> entries = TestZips.read(genuine);
            String name = "data/user_contact.upsert.ndjson";
            String rows = new String(entries.get(name), StandardCharsets.UTF_8).replace("{", "{\"salary\":1000000,");
            byte[] data = rows.getBytes(StandardCharsets.UTF_8);
            entries.put(name, data);
            ObjectNode manifest = (ObjectNode) JSON.readTree(entries.get("manifest.json"));
            for (var entry : manifest.get("entries")) {
                if (entry.get("name").asText().equals(name)) {
                    ((ObjectNode) entry).put("size", data.length)
                            .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
                }
            }
            byte[] json = JSON.writeValueAsBytes(manifest);
            entries.put("manifest.json", json);
            entries.put("manifest.sig", new Signer(key).sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
            return TestZips.zip(entries);
        }, null);
    }

    @Test
    void truncatedBatchIsQuarantined() throws Exception {
        assertQuarantined("not a readable zip", (genuine, key) -> Arrays.copyOf(genuine, genuine.length / 2), null);
    }

    @Test
    void batchNamingAnUnconfiguredTableIsQuarantined() throws Exception {
        assertQuarantined("manifest names table 'payroll', which module UserServices.PresenceFocus does not replicate",
                (genuine, key) -> {
                    Map<String, byte[]> entries = TestZips.read(genuine);
                    byte[] rows = "{\"employee\":\"alice\",\"salary\":1000000}\n".getBytes(StandardCharsets.UTF_8);
                    entries.put("data/payroll.upsert.ndjson", rows);
                    ObjectNode manifest = (ObjectNode) JSON.readTree(entries.get("manifest.json"));
                    ((ObjectNode) manifest.get("tables")).putObject("payroll").put("upserts", 1).put("deletes", 0);
                    ((ArrayNode) manifest.get("entries")).addObject().put("name", "data/payroll.upsert.ndjson")
                            .put("table", "payroll").put("op", "upsert").put("size", rows.length)
                            .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rows)));
                    byte[] json = JSON.writeValueAsBytes(manifest);
                    entries.put("manifest.json", json);
                    entries.put("manifest.sig", new Signer(key).sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
                    return TestZips.zip(entries);
                }, null);
    }

    interface Tamper {
        byte[] apply(byte[] genuine, byte[] key) throws Exception;
    }

    /**
     * Puts a tampered copy of poolA's batch 1 into poolB's Data folder (under {@code fileName} or the genuine
     * name), checks it is quarantined with {@code reason} and nothing applied, then lets the genuine batch flow.
     */
    private void assertQuarantined(String reason, Tamper tamper, String fileName) throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:genuine@example.com");
            pools.a.syncNow();
            Path data = pools.dataFolder(pools.b, PRESENCE);
            Path genuineFile = data.resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            byte[] genuine = Files.readAllBytes(genuineFile);
            Files.delete(genuineFile);
            Path bad = data.resolve(fileName != null ? fileName : genuineFile.getFileName().toString());
            Files.write(bad, tamper.apply(genuine, pools.a.config().key()));

            pools.b.context().getRouteController().startRoute("import-batches");
            Path quarantine = pools.b.config().quarantine().resolve(PRESENCE);
            // the reason file is written before the import state records the rejection: wait for both
            TwoPools.await("the file is quarantined", () -> !Files.exists(bad) && Files.isDirectory(quarantine)
                    && reasonFile(quarantine) != null && pools.importState(pools.b, PRESENCE).quarantined() == 1);
            String reasonText = Files.readString(reasonFile(quarantine));
            assertTrue(reasonText.contains(reason), "reason file says: " + reasonText);
            assertTrue(Files.exists(Path.of(reasonFile(quarantine).toString().replaceAll("\\.reason$", ""))),
                    "the rejected file itself lies beside its reason");
            assertEquals(0, pools.importState(pools.b, PRESENCE).lastApplied());
            assertEquals(0, TwoPools.contacts(pools.b, "sip:genuine@example.com"), "nothing of a rejected file is applied");
            assertEquals(1, pools.importState(pools.b, PRESENCE).quarantined());
            assertTrue(pools.importState(pools.b, PRESENCE).lastError().contains(reason));

            // the genuine batch (re-sent, or arriving late) still applies, and later batches keep flowing
            Files.write(genuineFile, genuine);
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:later@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 2);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:genuine@example.com"));
            assertEquals(1, TwoPools.contacts(pools.b, "sip:later@example.com"));
            assertEquals(null, pools.importState(pools.b, PRESENCE).lastError(), "a good batch clears the import error");
        }
    }

    private static Path reasonFile(Path quarantine) throws IOException {
        try (Stream<Path> files = Files.list(quarantine)) {
            return files.filter(p -> p.toString().endsWith(".reason")).findFirst().orElse(null);
        }
    }
}
