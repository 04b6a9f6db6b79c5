package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every batch the exporter makes, its own importer accepts (one definition of the limits, {@code BatchLimits}): a
 * content backlog or a snapshot with more files than {@code poolpair.import.max-entries} is cut into batches that fit,
 * a batch that cannot fit is refused before it is published, and a batch the peer refuses for good (its limits are
 * smaller) is an error on the sender, not a copy in the peer's quarantine every cycle.
 */
class BatchLimitsTest {

    private static final String DATACONF = "ConfServices.DataConf";

    @TempDir
    Path dir;

    private TwoPools start(Map<String, String> extra, Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new HashMap<>(Map.of("poolpair.modules", DATACONF,
                "poolpair.max-dataconf-package-size-kb", "102400"));
        all.putAll(extra);
        return TwoPools.start(dir, all, a, b);
    }

    private static Path contentFile(PoolPairRuntime pool, long conference, String name) {
        return pool.config().module(DATACONF).contentDir().orElseThrow().resolve(conference + "/" + name);
    }

    /** What a conferencing server does on upload: the file in the content folder, then its row. */
    private static byte[] upload(PoolPairRuntime pool, long conference, String name, int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(name.hashCode()).nextBytes(bytes);
        Path file = contentFile(pool, conference, name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        TwoPools.exec(pool, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                + " VALUES (?, ?, ?, ?, ?)", conference, name, (long) size,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), pool.config().pool());
        return bytes;
    }

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool) throws Exception {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(DATACONF);
    }

    private static long filesIn(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }

    private static long quarantinedZips(PoolPairRuntime pool) throws Exception {
        Path folder = pool.config().quarantine().resolve(DATACONF);
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".zip")).count();
        }
    }

    /** H2 reads a batch's rows key by key, PostgreSQL 1,000 keys a statement: both cut the batch. */
    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void contentBacklogOfMoreFilesThanMaxEntriesAfterAnOutageIsCutIntoBatchesThatAllArrive(StoreKind store) throws Exception {
        try (TwoPools pools = start(Map.of("poolpair.import.max-entries", "50"), store.pool(A, "demo"),
                store.pool(B, "demo"))) {
            pools.b.close(); // poolB is down while poolA's users upload 120 files
            pools.b = null;
            Map<String, byte[]> uploaded = new HashMap<>();
            for (int i = 0; i < 120; i++) {
                uploaded.put("page" + i + ".png", upload(pools.a, 4, "page" + i + ".png", 2048));
            }
            pools.a.syncNow();
            pools.b = pools.startPool(B); // back
            upload(pools.b, 5, "notes.txt", 100); // and its users upload too: both directions export
            pools.syncUntilSettled();

            for (Map.Entry<String, byte[]> file : uploaded.entrySet()) {
                assertArrayEquals(file.getValue(), Files.readAllBytes(contentFile(pools.b, 4, file.getKey())), file.getKey());
            }
            assertEquals(120, TwoPools.count(pools.b, "SELECT COUNT(*) FROM conference_content WHERE home_pool = ?", A));
            assertTrue(pools.exportState(pools.a, DATACONF).lastBatch() >= 3, "120 files at most 50 entries a batch: 3 batches");
            assertEquals(BackupStatus.ExportStatus.FinalState, status(pools.a).exportStatus());
            assertEquals(BackupStatus.ExportStatus.FinalState, status(pools.b).exportStatus());
            assertEquals(BackupStatus.ImportStatus.NormalState, status(pools.b).importStatus());
            assertEquals(0, pools.importState(pools.b, DATACONF).quarantined(), "nothing quarantined");
            assertEquals(0, quarantinedZips(pools.b));
            pools.assertCopiesEqual();
        }
    }

    @Test
    void fullSyncOfMoreContentFilesThanMaxEntriesCompletes() throws Exception {
        try (TwoPools pools = start(Map.of("poolpair.import.max-entries", "50"), Map.of(), Map.of())) {
            Map<String, byte[]> uploaded = new HashMap<>();
            for (int i = 0; i < 120; i++) {
                uploaded.put("slide" + i + ".png", upload(pools.a, 6, "slide" + i + ".png", 1024));
            }
            // the rows are on poolA, their changes lost: only a full sync brings them over
            TwoPools.exec(pools.a, "DELETE FROM pp_change");
            TwoPools.CommandResult result = TwoPools.cli("sync", "--config", pools.configFile(A).toString(), "--module",
                    DATACONF, "--full", "--wait", "--timeout", "PT60S");
            assertEquals(0, result.exit(), result.out() + result.err());

            for (Map.Entry<String, byte[]> file : uploaded.entrySet()) {
                assertArrayEquals(file.getValue(), Files.readAllBytes(contentFile(pools.b, 6, file.getKey())), file.getKey());
            }
            assertTrue(pools.exportState(pools.a, DATACONF).lastBatch() >= 3, "the snapshot was cut into parts of 50 entries");
            pools.syncUntilSettled();
            assertEquals(BackupStatus.ExportStatus.FinalState, status(pools.a).exportStatus());
            assertEquals(0, quarantinedZips(pools.b));
            pools.assertCopiesEqual();
        }
    }

    @Test
    void aFileTooLargeForAnyBatchIsRefusedBeforeItIsPublished() throws Exception {
        try (TwoPools pools = start(Map.of("poolpair.import.max-batch-bytes", Long.toString(4L << 20)), Map.of(),
                Map.of())) {
            upload(pools.a, 2, "recording.mp4", 5 << 20);
            pools.a.syncNow();

            BackupStatus.ModuleStatus a = status(pools.a);
            assertEquals(BackupStatus.ExportStatus.ErrorState, a.exportStatus(), a.toString());
            assertTrue(a.lastError().contains("batch 1 of " + DATACONF + " is not published")
                    && a.lastError().contains("poolpair.import.max-batch-bytes"), a.lastError());
            assertEquals(0, pools.exportState(pools.a, DATACONF).publishedBatch());
            assertEquals(0, filesIn(pools.dataFolder(pools.b, DATACONF)), "nothing reached poolB's share");
            assertFalse(Files.exists(pools.a.config().outbox().resolve(new BatchName(A, DATACONF, 1).fileName())),
                    "the refused batch is not left in the outbox for publishing");
        }
    }

    @Test
    void aBatchThePeerRefusesForGoodIsAnErrorOnTheSenderAndIsNotResent() throws Exception {
        // poolB takes fewer entries a batch than poolA makes: a batch of 20 files is valid on A, too large for B
        try (TwoPools pools = start(Map.of(), Map.of(), Map.of("poolpair.import.max-entries", "12"))) {
            pools.syncUntilSettled(); // each side has heard the other: no cookie left unread
            for (int i = 0; i < 20; i++) {
                upload(pools.a, 9, "doc" + i + ".pdf", 512);
            }
            pools.a.syncNow();
            TwoPools.await("poolB quarantined batch 1", () -> quarantinedZips(pools.b) == 1);
            // poolA learns the refusal from poolB's next cookie (a cookie poolB wrote before the quarantine may be read
            // first, and a re-send it prompts is right: poolA does not know yet); from then on nothing is re-sent
            pools.b.syncNow();
            TwoPools.await("poolA read the refusal in poolB's cookie", () -> {
                String error = status(pools.a).lastError();
                return error != null && error.contains("refused batch 1");
            });
            long copiesBefore = quarantinedZips(pools.b);
            // several export cycles on both pools, each one's cookie read by the other
            for (int cycle = 0; cycle < 4; cycle++) {
                Instant heard = pools.exportState(pools.a, DATACONF).peerHeardAt();
                pools.b.syncNow();
                TwoPools.await("poolA read poolB's cookie", () -> {
                    Instant now = pools.exportState(pools.a, DATACONF).peerHeardAt();
                    return now != null && (heard == null || now.isAfter(heard));
                });
                Instant published = pools.exportState(pools.a, DATACONF).publishedAt();
                // past poolpair.resend-after since the publication: a batch missing from the peer would be re-sent now
                TwoPools.await("the re-send delay passed", () -> Instant.now().isAfter(published.plusMillis(1100)));
                pools.a.syncNow();
                TwoPools.awaitPolls(pools.b, "import-batches", 2);
            }

            assertEquals(copiesBefore, quarantinedZips(pools.b), "no copy re-sent once poolA knew of the refusal");
            assertTrue(copiesBefore <= 2, "at most one re-send before the refusal was known: " + copiesBefore);
            BackupStatus.ModuleStatus a = status(pools.a);
            assertEquals(BackupStatus.ExportStatus.ErrorState, a.exportStatus(), a.toString());
            assertTrue(a.lastError().contains("poolB refused batch 1 of " + DATACONF + " for good")
                    && a.lastError().contains("over poolpair.import.max-entries 12"), a.lastError());
            assertTrue(a.lastError().contains("restart poolB"), "the way out: " + a.lastError());
            assertEquals(0, pools.importState(pools.b, DATACONF).lastApplied());
        }
    }

    /**
     * Two H2 pools of the presence module whose pool files carry every setting (the failover and failback commands read
     * them), settled, then poolA lost and poolB acting for it.
     */
    private TwoPools failedOverPair(Map<String, String> extra) throws Exception {
        Map<String, String> a = new HashMap<>(StoreKind.H2.pool(A, "demo"));
        Map<String, String> b = new HashMap<>(StoreKind.H2.pool(B, "demo"));
        a.putAll(extra);
        b.putAll(extra);
        TwoPools pools = TwoPools.start(dir, Map.of("poolpair.modules", TwoPools.PRESENCE), a, b);
        for (Map.Entry<String, Map<String, String>> pool : Map.of(A, a, B, b).entrySet()) {
            StringBuilder text = new StringBuilder("poolpair.modules = " + TwoPools.PRESENCE + "\n");
            pool.getValue().forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(pools.configFile(pool.getKey()), text, java.nio.file.StandardOpenOption.APPEND);
        }
        TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:before@example.com");
        pools.syncUntilSettled();
        pools.a.close(); // poolA is lost
        pools.a = null;
        TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", pools.configFile(B).toString(), "--pool", A, "--skip-data-verification");
        assertEquals(0, failover.exit(), failover.out() + failover.err());
        return pools;
    }

    private static Path lastStaged(TwoPools pools) throws Exception {
        return pools.b.config().outbox().resolve(new BatchName(B, TwoPools.PRESENCE,
                pools.exportState(pools.b, TwoPools.PRESENCE).lastBatch()).fileName());
    }

    private static void failback(TwoPools pools) throws Exception {
        pools.a = pools.startPool(A); // poolA is back
        TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", pools.configFile(B).toString(), "--pool", A,
                "--timeout", "PT60S");
        assertEquals(0, failback.exit(), failback.out() + failback.err());
    }

    @Test
    void keyTimesOfAFailoverAreEncryptedLikeEveryEntry() throws Exception {
        try (TwoPools pools = failedOverPair(Map.of("poolpair.encrypt", "true"))) {
            TwoPools.insertContact(pools.b, "sip:alice@poolA", "sip:secret-contact@example.com");
            pools.b.syncNow();
            try (ZipFile zip = new ZipFile(lastStaged(pools).toFile())) {
                for (String entry : new String[] {"failover/key-times.json", "manifest.json"}) {
                    String text = new String(zip.getInputStream(zip.getEntry(entry)).readAllBytes(),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains("secret-contact"), entry + " shows the key in the clear");
                }
            }
            failback(pools);
            assertEquals(1, TwoPools.contacts(pools.a, "sip:secret-contact@example.com"));
        }
    }

    @Test
    void failbackWithTenThousandLongKeysWrittenDuringTheFailoverReachesFinalState() throws Exception {
        try (TwoPools pools = failedOverPair(Map.of())) {

            // poolB serves poolA's users: 10,000 contacts, keys of 30 characters and more, one batch whose key times
            // (over 1 MiB as manifest JSON) no longer fit a manifest
            try (var conn = pools.b.store().dataSource().getConnection(); var ps = conn.prepareStatement("INSERT INTO"
                    + " user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES (?, ?, ?, ?)")) {
                conn.setAutoCommit(false);
                for (int i = 0; i < 10_000; i++) {
                    ps.setString(1, "sip:alice@poolA");
                    ps.setString(2, String.format("sip:failover-contact-%05d@example.com", i));
                    ps.setString(3, "Failover");
                    ps.setString(4, A);
                    ps.addBatch();
                }
                ps.executeBatch();
                conn.commit();
            }
            pools.b.syncNow();
            try (ZipFile zip = new ZipFile(lastStaged(pools).toFile())) {
                assertTrue(zip.getEntry("failover/key-times.json").getSize() > 900_000,
                        "the key times of 10,000 keys travel in their own entry: " + zip.getEntry("failover/key-times.json").getSize());
                assertTrue(zip.getEntry("manifest.json").getSize() < 64 << 10, "the manifest stays small");
            }

            failback(pools);
            assertEquals(10_001, TwoPools.count(pools.a, "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", A));
            pools.syncUntilSettled();
            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                BackupStatus.ModuleStatus m = new BackupStatus(pool.config(), pool.store().dataSource()).module(TwoPools.PRESENCE);
                assertEquals(BackupStatus.ExportStatus.FinalState, m.exportStatus(), m.toString());
            }
            assertEquals(0, pools.importState(pools.a, TwoPools.PRESENCE).quarantined());
            pools.assertCopiesEqual();
        }
    }
}
