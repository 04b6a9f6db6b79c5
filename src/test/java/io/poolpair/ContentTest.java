package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.demo.PairProbe;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ConfServices.DataConf: conference content files travel with their rows, within a per-cycle allowance. */
class ContentTest {

    private static final String DATACONF = "ConfServices.DataConf";

    @TempDir
    Path dir;

    private TwoPools start(int limitKb) {
        return TwoPools.start(dir, Map.of("poolpair.modules", DATACONF,
                "poolpair.max-dataconf-package-size-kb", Integer.toString(limitKb)));
    }

    private static Path contentFile(PoolPairRuntime pool, long conference, String name) {
        return pool.config().module(DATACONF).contentDir().orElseThrow().resolve(conference + "/" + name);
    }

    /** What a conferencing server does on upload: the file in the content folder, then its row. */
    private static byte[] upload(PoolPairRuntime pool, long conference, String name, int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Path file = contentFile(pool, conference, name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        TwoPools.exec(pool, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                + " VALUES (?, ?, ?, ?, ?)", conference, name, (long) size,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), pool.config().pool());
        return bytes;
    }

    private static void syncUntilSettled(TwoPools pools) throws Exception {
        TwoPools.await("content replicated", () -> {
            pools.a.syncNow();
            return PairProbe.settled(pools.a, pools.b);
        });
    }

    @Test
    void filesOfEverySizeArriveByteIdenticalAndDeletesPropagate() throws Exception {
        try (TwoPools pools = start(256)) {
            byte[] empty = upload(pools.a, 7, "empty.txt", 0);
            byte[] small = upload(pools.a, 7, "slides.pptx", 1024);
            byte[] large = upload(pools.a, 8, "recording.mp4", 5 * 1024 * 1024);
            byte[] over = upload(pools.a, 8, "whiteboard.png", 300 * 1024);
            syncUntilSettled(pools);
            assertArrayEquals(empty, Files.readAllBytes(contentFile(pools.b, 7, "empty.txt")));
            assertArrayEquals(small, Files.readAllBytes(contentFile(pools.b, 7, "slides.pptx")));
            assertArrayEquals(large, Files.readAllBytes(contentFile(pools.b, 8, "recording.mp4")));
            assertArrayEquals(over, Files.readAllBytes(contentFile(pools.b, 8, "whiteboard.png")));
            String oversized = new io.poolpair.status.BackupStatus(pools.a.config(), pools.a.store().dataSource())
                    .module(DATACONF).oversizedContent();
            // both the 5 MiB and the 300 KiB file exceed the 256 KB allowance; status names the latest of them
            assertTrue(oversized != null && oversized.matches("8/(recording\\.mp4|whiteboard\\.png) \\(\\d+ bytes, travelled alone.*"),
                    "status names the oversized file: " + oversized);
            pools.assertCopiesEqual();

            TwoPools.exec(pools.a, "DELETE FROM conference_content WHERE conference_id = 7 AND file_name = 'slides.pptx'");
            Files.delete(contentFile(pools.a, 7, "slides.pptx"));
            syncUntilSettled(pools);
            assertFalse(Files.exists(contentFile(pools.b, 7, "slides.pptx")), "the delete removed the file");
            assertTrue(Files.exists(contentFile(pools.b, 7, "empty.txt")));
            pools.assertCopiesEqual();
        }
    }

    /** The row of an upload whose file is not (wholly) in the content folder yet: size and sha256 of {@code bytes}. */
    private static void insertRow(PoolPairRuntime pool, long conference, String name, byte[] bytes) throws Exception {
        TwoPools.exec(pool, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                + " VALUES (?, ?, ?, ?, ?)", conference, name, (long) bytes.length,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), pool.config().pool());
    }

    private static String contentWaiting(PoolPairRuntime pool) throws Exception {
        return new io.poolpair.status.BackupStatus(pool.config(), pool.store().dataSource()).module(DATACONF).contentWaiting();
    }

    /** One export cycle of poolA, applied and acknowledged by poolB. */
    private static void oneCycle(TwoPools pools) throws Exception {
        pools.a.syncNow();
        long batch = pools.exportState(pools.a, DATACONF).lastBatch();
        pools.awaitAcknowledged(pools.a, DATACONF, batch);
    }

    @Test
    void rowWhoseFileIsMissingWaitsUntilTheFileAppears() throws Exception {
        try (TwoPools pools = start(256)) {
            byte[] bytes = new byte[4096];
            new Random(7).nextBytes(bytes);
            insertRow(pools.a, 9, "late.bin", bytes);
            oneCycle(pools);
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM conference_content"), "the row went without its file");
            String waiting = contentWaiting(pools.a);
            assertTrue(waiting != null && waiting.startsWith("9/late.bin (missing, waiting since "), "status: " + waiting);

            Path file = contentFile(pools.a, 9, "late.bin");
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            syncUntilSettled(pools);
            assertArrayEquals(bytes, Files.readAllBytes(contentFile(pools.b, 9, "late.bin")));
            assertNull(contentWaiting(pools.a));
            pools.assertCopiesEqual();
        }
    }

    @Test
    void rowWhoseFileIsHalfWrittenWaitsUntilItIsComplete() throws Exception {
        try (TwoPools pools = start(256)) {
            byte[] bytes = new byte[8192];
            new Random(8).nextBytes(bytes);
            Path file = contentFile(pools.a, 9, "upload.bin");
            Files.createDirectories(file.getParent());
            Files.write(file, java.util.Arrays.copyOf(bytes, 3000)); // the upload is still being written
            insertRow(pools.a, 9, "upload.bin", bytes);
            oneCycle(pools);
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM conference_content"), "the row went with half a file");
            assertFalse(Files.exists(contentFile(pools.b, 9, "upload.bin")));
            String waiting = contentWaiting(pools.a);
            assertTrue(waiting != null && waiting.startsWith("9/upload.bin (holds 3000 of the 8192 bytes its row records"),
                    "status: " + waiting);

            Files.write(file, java.util.Arrays.copyOfRange(bytes, 3000, bytes.length), StandardOpenOption.APPEND);
            syncUntilSettled(pools);
            assertArrayEquals(bytes, Files.readAllBytes(contentFile(pools.b, 9, "upload.bin")));
            assertNull(contentWaiting(pools.a));
            pools.assertCopiesEqual();
        }
    }

    @Test
    void perCycleContentLimitIsRespectedAndTheBacklogDrains() throws Exception {
        try (TwoPools pools = start(64)) {
            for (int i = 0; i < 10; i++) {
                upload(pools.a, 9, "page" + i + ".png", 20 * 1024);
            }
            pools.a.syncNow();
            pools.awaitApplied(pools.b, DATACONF, pools.exportState(pools.a, DATACONF).lastBatch());
            try (Stream<Path> files = Files.list(contentFile(pools.b, 9, "x").getParent())) {
                assertEquals(3, files.count(), "64 KB per cycle holds three 20 KiB files");
            }
            assertEquals(7, PairProbe.pendingChanges(pools.a, DATACONF), "the rest waits for later cycles");
            syncUntilSettled(pools);
            try (Stream<Path> files = Files.list(contentFile(pools.b, 9, "x").getParent())) {
                assertEquals(10, files.count());
            }
            pools.assertCopiesEqual();
        }
    }

    @Test
    void fullSyncRestoresLostContentFiles() throws Exception {
        try (TwoPools pools = start(1024)) {
            byte[] deck = upload(pools.a, 3, "deck.pdf", 70_000);
            upload(pools.a, 3, "gone.pdf", 1000);
            syncUntilSettled(pools);
            Files.delete(contentFile(pools.b, 3, "deck.pdf"));
            // poolA loses the row and file of gone.pdf without capturing it (history lost)
            TwoPools.uncaptured(pools.a, "DELETE FROM conference_content WHERE file_name = 'gone.pdf'");
            Files.delete(contentFile(pools.a, 3, "gone.pdf"));
            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(TwoPools.A).toString(),
                    "--module", DATACONF, "--full", "--wait", "--timeout", "PT30S");
            assertEquals(0, result.exit(), result.out() + result.err());
            assertArrayEquals(deck, Files.readAllBytes(contentFile(pools.b, 3, "deck.pdf")));
            assertFalse(Files.exists(contentFile(pools.b, 3, "gone.pdf")), "the sweep removed the file with its row");
            pools.assertCopiesEqual();
        }
    }

    @Test
    void corruptedContentEntryIsQuarantined() throws Exception {
        try (TwoPools pools = start(1024)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            upload(pools.a, 5, "deck.pdf", 4096);
            pools.a.syncNow();
            Path batch = pools.dataFolder(pools.b, DATACONF).resolve(new BatchName("poolA", DATACONF, 1).fileName());
            Path tampered = dir.resolve("tampered.zip");
            try (ZipFile zip = new ZipFile(batch.toFile());
                 ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tampered))) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    byte[] data = zip.getInputStream(e).readAllBytes();
                    if (e.getName().startsWith("content/")) {
                        data[100] ^= 0x55;
                    }
                    out.putNextEntry(new ZipEntry(e.getName()));
                    out.write(data);
                    out.closeEntry();
                }
            }
            Files.move(tampered, batch, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            pools.b.context().getRouteController().startRoute("import-batches");
            TwoPools.await("the batch is quarantined", () -> pools.importState(pools.b, DATACONF).quarantined() == 1);
            assertTrue(pools.importState(pools.b, DATACONF).lastError().contains("content/conference_content/5/deck.pdf"),
                    pools.importState(pools.b, DATACONF).lastError());
            assertFalse(Files.exists(contentFile(pools.b, 5, "deck.pdf")));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM conference_content"));
        }
    }
}
