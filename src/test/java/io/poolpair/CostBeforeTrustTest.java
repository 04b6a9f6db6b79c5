package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Cookie;
import io.poolpair.importer.BatchVerifier;
import io.poolpair.share.ShareLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a file from the share may cost before it is trusted: the zip's size, entry count and central directory are
 * bounded before java.util.zip reads them; an entry is hashed before its rows are parsed; a duplicate is known by its
 * signed manifest before its entries are read; a cookie file is read up to a limit.
 */
class CostBeforeTrustTest {

    @TempDir
    Path dir;

    private static Path batchPath(TwoPools pools, long batch) {
        return pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, batch).fileName());
    }

    private static BatchVerifier verifier(TwoPools pools) {
        return pools.b.context().getRegistry().lookupByNameAndType("batchVerifier", BatchVerifier.class);
    }

    private static void verify(TwoPools pools, Path file) throws Exception {
        Exchange exchange = new DefaultExchange(pools.b.context());
        exchange.getMessage().setBody(file.toFile());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, "UserServices/PresenceFocus/Data/" + file.getFileName());
        verifier(pools).verify(exchange);
    }

    /** Opens zips as the verifier does, and remembers that one was opened. */
    private static AtomicBoolean watchOpens(TwoPools pools) {
        AtomicBoolean opened = new AtomicBoolean();
        verifier(pools).openZipsWith(file -> {
            opened.set(true);
            return new ZipFile(file);
        });
        return opened;
    }

    @Test
    void endRecordClaimingHundredsOfMillionsOfEntriesIsRejectedBeforeTheZipIsOpened() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            // a ZIP64 end record claiming 700 million entries, its locator, and the end record deferring to it (older
            // JDKs size a table of three ints per claimed entry, 8 GB; this one copes, but the claim alone must refuse it)
            ByteBuffer zip = ByteBuffer.allocate(56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
            zip.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(700_000_000L).putLong(700_000_000L).putLong(0).putLong(0);
            zip.putInt(0x07064b50).putInt(0).putLong(0).putInt(1);
            zip.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0xFFFF).putShort((short) 0xFFFF)
                    .putInt(0xFFFFFFFF).putInt(0xFFFFFFFF).putShort((short) 0);
            Path file = batchPath(pools, 1);
            Files.write(file, zip.array());
            AtomicBoolean opened = watchOpens(pools);

            BatchRejectedException e = assertThrows(BatchRejectedException.class, () -> verify(pools, file));
            assertTrue(e.getMessage().contains("claims 700000000 entries, over poolpair.import.max-entries"), e.getMessage());
            assertFalse(opened.get(), "the zip was opened before its entry count was checked");
        }
    }

    @Test
    void centralDirectoryLargerThanTheEntryLimitAllowsIsRejectedBeforeTheZipIsOpened() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.import.max-entries", "10"))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            // three entries, each with a 20 000-character name: 60 KB of central directory, over 10 entries' worth
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                for (int i = 0; i < 3; i++) {
                    out.putNextEntry(new ZipEntry("data/" + String.valueOf((char) ('a' + i)).repeat(20_000)));
                    out.closeEntry();
                }
            }
            Path file = batchPath(pools, 1);
            Files.write(file, bytes.toByteArray());
            AtomicBoolean opened = watchOpens(pools);

            BatchRejectedException e = assertThrows(BatchRejectedException.class, () -> verify(pools, file));
            assertTrue(e.getMessage().contains("central directory is"), e.getMessage());
            assertFalse(opened.get(), "the zip was opened before the size of its central directory was checked");
        }
    }

    @Test
    void rowEntryIsReadThroughAndHashedBeforeItsRowsAreParsed() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:hashed@example.com");
            pools.a.syncNow();
            // every stream the verifier opens on the row entry, and whether it had been read to its end when the next
            // one was opened
            List<String> reads = Collections.synchronizedList(new ArrayList<>());
            verifier(pools).openZipsWith(file -> new ZipFile(file) {
                @Override
                public InputStream getInputStream(ZipEntry entry) throws IOException {
                    InputStream in = super.getInputStream(entry);
                    if (!entry.getName().endsWith(".ndjson")) {
                        return in;
                    }
                    int index = reads.size();
                    reads.add("opened");
                    return new FilterInputStream(in) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n < 0) {
                                reads.set(index, "read to its end");
                            }
                            return n;
                        }
                    };
                }
            });
            verify(pools, batchPath(pools, 1));
            assertEquals(2, reads.size(), "the row entry is read twice: hashed, then parsed: " + reads);
            assertEquals("read to its end", reads.get(0), "the first read (the hash) covers the whole entry: " + reads);
        }
    }

    @Test
    void duplicateIsSkippedOnItsSignedManifestWithoutReadingItsEntries() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:duplicate@example.com");
            pools.a.syncNow();
            byte[] genuine = Files.readAllBytes(batchPath(pools, 1));
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitApplied(pools.b, PRESENCE, 1);
            TwoPools.await("batch 1 consumed", () -> !Files.exists(batchPath(pools, 1)));

            // batch 1 again, its signed manifest intact and its row entry rewritten: a duplicate, never read
            ByteArrayOutputStream tampered = new ByteArrayOutputStream();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(genuine));
                 ZipOutputStream out = new ZipOutputStream(tampered)) {
                ZipEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    byte[] data = in.readAllBytes();
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    out.write(entry.getName().endsWith(".ndjson") ? "not what was signed\n".getBytes(StandardCharsets.UTF_8)
                            : data);
                    out.closeEntry();
                }
            }
            Files.write(batchPath(pools, 1), tampered.toByteArray());
            TwoPools.await("the duplicate is consumed", () -> !Files.exists(batchPath(pools, 1)));
            assertEquals(0, pools.importState(pools.b, PRESENCE).quarantined(),
                    "the duplicate's entries were read: " + pools.importState(pools.b, PRESENCE).lastError());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:duplicate@example.com"));
        }
    }

    @Test
    void cookieFileOverItsSizeLimitIsNotRead() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.a.context().getRouteController().stopRoute("acknowledge-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:big-cookie@example.com");
            pools.a.syncNow();
            Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
            TwoPools.await("poolB acknowledges batch 1 in its cookie", () -> Files.exists(cookie)
                    && CookieFiles.read(pools.a, cookie).lastAppliedBatch() == 1);
            pools.b.context().getRouteController().stopRoute("export-on-schedule");
            pools.b.context().getRouteController().stopRoute("import-batches");
            byte[] genuine = Files.readAllBytes(cookie);
            // the genuine cookie, then a megabyte more: a zip reader stops at the entries, the file is far over a cookie's size
            byte[] padded = java.util.Arrays.copyOf(genuine, genuine.length + (1 << 20));
            Files.write(cookie, padded);

            pools.a.context().getRouteController().startRoute("acknowledge-batches");
            TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "a cookie file over the limit was read");
            assertTrue(Files.size(cookie) > Cookie.MAX_FILE_BYTES);
        }
    }
}
