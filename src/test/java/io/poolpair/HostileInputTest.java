package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Cookie;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.StoreIncarnation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** More hostile input from the share: planted links, wrong value types, entry floods, forged cookies, truncation. */
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A batch signed with the pair's key (an insider or a bug on the sending side), rows given as NDJSON. */
    private static byte[] signedBatch(TwoPools pools, long batch, String rows, int extraEntries) throws Exception {
        byte[] data = rows.getBytes(StandardCharsets.UTF_8);
        ObjectNode manifest = JSON.createObjectNode().put("format", Manifest.FORMAT).put("incarnation", "test-incarnation").put("sourcePool", "poolA").put("targetPool", "poolB")
                .put("module", PRESENCE).put("batch", batch).put("kind", "delta").put("part", 1).put("parts", 1)
                .put("changeIdFrom", 1).put("changeIdTo", 1).put("changes", 1).put("createdAt", "2026-11-26T00:00:00Z");
        manifest.putObject("tables").putObject("user_contact").put("upserts", 1).put("deletes", 0);
        ArrayNode entries = manifest.putArray("entries");
        entries.addObject().put("name", "data/user_contact.upsert.ndjson").put("table", "user_contact").put("op", "upsert")
                .put("size", data.length).put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        byte[] json = JSON.writeValueAsBytes(manifest);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("data/user_contact.upsert.ndjson"));
            zip.write(data);
            zip.closeEntry();
            for (int i = 0; i < extraEntries; i++) {
                zip.putNextEntry(new ZipEntry("data/filler-" + i + ".ndjson"));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(json);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("manifest.sig"));
            zip.write(new Signer(pools.a.config().key()).sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static void assertQuarantinedWith(TwoPools pools, String reason) throws Exception {
        TwoPools.await("the file is quarantined", () -> pools.importState(pools.b, PRESENCE).quarantined() == 1);
        String error = pools.importState(pools.b, PRESENCE).lastError();
        assertTrue(error.contains(reason), error);
        assertEquals(0, pools.importState(pools.b, PRESENCE).lastApplied());
        assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"), "nothing of the file was applied");
    }

    private static Path batchPath(TwoPools pools, long batch) {
        return pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, batch).fileName());
    }

    @Test
    void valueOfTheWrongTypeRejectsTheWholeBatch() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            String rows = "{\"OWNER_URI\":\"sip:a\",\"CONTACT_URI\":\"sip:ok\",\"IS_FAVORITE\":false,\"HOME_POOL\":\"poolA\"}\n"
                    + "{\"OWNER_URI\":\"sip:a\",\"CONTACT_URI\":\"sip:bad\",\"IS_FAVORITE\":\"maybe\",\"HOME_POOL\":\"poolA\"}\n";
            place(batchPath(pools, 1), signedBatch(pools, 1, rows, 0));
            assertQuarantinedWith(pools, "does not fit column IS_FAVORITE");
        }
    }

    @Test
    void zipBombIsQuarantinedBeforeItIsInflated() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.import.max-batch-bytes", "10000000"))) {
            place(batchPath(pools, 1), zipBomb(pools, 100));
            assertQuarantinedWith(pools, "is 50000000 bytes, the manifest says 100");
        }
    }

    @Test
    void honestlyDeclaredZipBombIsQuarantinedForItsCompressionRatio() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.import.max-batch-bytes", "100000000"))) {
            place(batchPath(pools, 1), zipBomb(pools, 50_000_000));
            assertQuarantinedWith(pools, "over poolpair.import.max-compression-ratio 200");
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
        }
    }

    /** Puts a file into the share whole (written beside it, then renamed), as a peer publishes, so it is never read half-written. */
    private static void place(Path target, byte[] bytes) throws Exception {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.write(part, bytes);
        Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** 50 MB of zeros in one row entry (about 50 KB on disk), declared in a signed manifest as {@code declaredSize}. */
    private static byte[] zipBomb(TwoPools pools, long declaredSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("data/user_contact.upsert.ndjson"));
            zip.write(new byte[50_000_000]);
            zip.closeEntry();
            ObjectNode manifest = JSON.createObjectNode().put("format", Manifest.FORMAT).put("incarnation", "test-incarnation").put("sourcePool", "poolA")
                    .put("targetPool", "poolB").put("module", PRESENCE).put("batch", 1).put("kind", "delta").put("part", 1)
                    .put("parts", 1).put("changes", 1).put("changeIdFrom", 1).put("changeIdTo", 1).put("createdAt", "x");
            manifest.putObject("tables").putObject("user_contact").put("upserts", 1).put("deletes", 0);
            manifest.putArray("entries").addObject().put("name", "data/user_contact.upsert.ndjson")
                    .put("table", "user_contact").put("op", "upsert").put("size", declaredSize).put("sha256", "00");
            byte[] json = JSON.writeValueAsBytes(manifest);
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(json);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("manifest.sig"));
            zip.write(new Signer(pools.a.config().key()).sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        assertTrue(out.size() < 200_000, "the bomb is small on disk: " + out.size());
        return out.toByteArray();
    }

    @Test
    void zipWithTooManyEntriesIsQuarantined() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.import.max-entries", "20"))) {
            String rows = "{\"OWNER_URI\":\"sip:a\",\"CONTACT_URI\":\"sip:x\",\"HOME_POOL\":\"poolA\"}\n";
            place(batchPath(pools, 1), signedBatch(pools, 1, rows, 50));
            assertQuarantinedWith(pools, "over poolpair.import.max-entries");
        }
    }

    @Test
    void symbolicLinkPlantedInTheShareIsQuarantined() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path target = dir.resolve("secret.zip");
            Files.writeString(target, "not for you");
            Files.createSymbolicLink(batchPath(pools, 1), target);
            assertQuarantinedWith(pools, "symbolic link");
            assertTrue(Files.exists(target), "the link's target is left alone");
        }
    }

    @Test
    void forgedCookieIsIgnoredAndTheGenuineOneStillCounts() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            pools.b.context().getRouteController().stopRoute("export-on-schedule"); // no cookie of poolB's replaces it
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:cookie@example.com");
            pools.a.syncNow();
            Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
            // all that poolB's cookie for batch 1 would say, signed with another key
            Cookie forged = new Cookie(Cookie.FORMAT, "poolB", "poolA", PRESENCE, 1, null, "NormalState", null,
                    new StoreIncarnation(pools.b.store().dataSource()).current(),
                    new StoreIncarnation(pools.a.store().dataSource()).current(), null, null, System.currentTimeMillis());
            byte[] zip = CookieFiles.zip(Map.of(Cookie.ENTRY,
                    forged.toEnvelope(new Signer("someone-else's-key-of-32-bytes-or-more".getBytes()))));
            Files.write(cookie, zip);
            TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3); // whole polls of the cookie folder after the write
            assertArrayEquals(zip, Files.readAllBytes(cookie), "the forged cookie was the one read");
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "a forged cookie acknowledged a batch");

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }

    @Test
    void batchTruncatedOnTheShareAfterPublishIsRecoveredFromTheOutbox() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:truncated@example.com");
            pools.a.syncNow();
            byte[] published = Files.readAllBytes(batchPath(pools, 1));
            place(batchPath(pools, 1), java.util.Arrays.copyOf(published, published.length / 3));
            pools.b.context().getRouteController().startRoute("import-batches");
            TwoPools.await("the truncated copy is quarantined", () -> pools.importState(pools.b, PRESENCE).quarantined() == 1);

            // the acknowledgement stays behind and the Data folder lacks the batch: the outbox copy is re-sent
            TwoPools.await("the batch is re-sent and applied", () -> {
                pools.a.syncNow();
                return pools.importState(pools.b, PRESENCE).lastApplied() == 1;
            });
            assertEquals(1, TwoPools.contacts(pools.b, "sip:truncated@example.com"));
        }
    }
}
