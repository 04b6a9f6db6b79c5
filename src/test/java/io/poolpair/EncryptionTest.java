package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.batch.EntryCipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code poolpair.encrypt=true}: batch content is unreadable on the share, and still replicates exactly. */
class EncryptionTest {

    @TempDir
    Path dir;

    @Test
    void encryptedBatchesHideTheirRowsOnTheShareAndStillReplicate() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.encrypt", "true"))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:secret-contact@example.com");
            pools.a.syncNow();
            Path batch = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
            try (ZipFile zip = new ZipFile(batch.toFile())) {
                String rows = new String(zip.getInputStream(zip.getEntry("data/user_contact.upsert.ndjson")).readAllBytes(),
                        StandardCharsets.ISO_8859_1);
                assertFalse(rows.contains("secret-contact"), "the row is readable on the share");
                String manifest = new String(zip.getInputStream(zip.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(manifest.contains(EntryCipher.ALGORITHM), manifest);
            }
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:secret-contact@example.com"));
            pools.assertCopiesEqual();
        }
    }

    @Test
    void encryptedContentFilesArriveByteIdentical() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.encrypt", "true", "poolpair.modules", "ConfServices.DataConf"))) {
            byte[] bytes = new byte[300_000];
            new Random(7).nextBytes(bytes);
            Path file = pools.a.config().module("ConfServices.DataConf").contentDir().orElseThrow().resolve("4/movie.bin");
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, bytes);
            TwoPools.exec(pools.a, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                    + " VALUES (4, 'movie.bin', 300000, 'x', 'poolA')");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, "ConfServices.DataConf", 1);
            Path copy = pools.b.config().module("ConfServices.DataConf").contentDir().orElseThrow().resolve("4/movie.bin");
            assertArrayEquals(bytes, java.nio.file.Files.readAllBytes(copy));
        }
    }

    @Test
    void encryptedBatchWithContentHasNoKeyValueAnywhereInItsBytes() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.encrypt", "true", "poolpair.modules", "ConfServices.DataConf"))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            String keyValue = "quarterly-results-secret.pdf";
            byte[] bytes = "the deck".getBytes(StandardCharsets.UTF_8);
            Path file = pools.a.config().module("ConfServices.DataConf").contentDir().orElseThrow().resolve("7319046/" + keyValue);
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, bytes);
            TwoPools.exec(pools.a, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                    + " VALUES (7319046, '" + keyValue + "', 8, 'x', 'poolA')");
            pools.a.syncNow();
            Path batch = pools.dataFolder(pools.b, "ConfServices.DataConf")
                    .resolve(new BatchName("poolA", "ConfServices.DataConf", 1).fileName());
            // the zip's raw bytes (entry names in its headers and directory), and every entry inflated
            StringBuilder everything = new StringBuilder(new String(java.nio.file.Files.readAllBytes(batch), StandardCharsets.ISO_8859_1));
            int contentEntries = 0;
            try (ZipFile zip = new ZipFile(batch.toFile())) {
                for (var e = zip.entries(); e.hasMoreElements(); ) {
                    var entry = e.nextElement();
                    everything.append(entry.getName()).append('\n')
                            .append(new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1));
                    contentEntries += entry.getName().startsWith("content/") ? 1 : 0;
                }
            }
            assertEquals(1, contentEntries, "the batch carries the file");
            for (String secret : new String[] {keyValue, "quarterly", "7319046"}) {
                assertFalse(everything.toString().contains(secret), "'" + secret + "' stands in the batch on the share");
            }

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitApplied(pools.b, "ConfServices.DataConf", 1);
            Path copy = pools.b.config().module("ConfServices.DataConf").contentDir().orElseThrow().resolve("7319046/" + keyValue);
            assertArrayEquals(bytes, java.nio.file.Files.readAllBytes(copy));
        }
    }

    @Test
    void chunksCannotBeCutOffReorderedOrMovedToAnotherEntry() throws Exception {
        EntryCipher cipher = new EntryCipher("the-pair's-shared-key-of-32-bytes!!".getBytes(StandardCharsets.UTF_8));
        byte[] plain = new byte[200_000];
        new Random(1).nextBytes(plain);
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        try (OutputStream out = cipher.encrypting(sealed, "content/t/1/a.bin")) {
            out.write(plain);
        }
        byte[] bytes = sealed.toByteArray();
        assertArrayEquals(plain, cipher.decrypting(new ByteArrayInputStream(bytes), "content/t/1/a.bin").readAllBytes());
        assertThrowsIo(() -> cipher.decrypting(new ByteArrayInputStream(bytes), "content/t/1/b.bin").readAllBytes());
        byte[] cut = java.util.Arrays.copyOf(bytes, 8 + 2 * (64 * 1024 + 16));
        assertThrowsIo(() -> cipher.decrypting(new ByteArrayInputStream(cut), "content/t/1/a.bin").readAllBytes());
        byte[] flipped = bytes.clone();
        flipped[100_000] ^= 1;
        assertThrowsIo(() -> cipher.decrypting(new ByteArrayInputStream(flipped), "content/t/1/a.bin").readAllBytes());
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        cipher.encrypting(empty, "e").close();
        assertEquals(0, cipher.decrypting(new ByteArrayInputStream(empty.toByteArray()), "e").readAllBytes().length);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void assertThrowsIo(IoAction action) {
        try {
            action.run();
        } catch (IOException expected) {
            return;
        }
        throw new AssertionError("tampering went unnoticed");
    }
}
