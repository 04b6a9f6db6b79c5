package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.Cookie;
import io.poolpair.batch.Signer;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.StoreIncarnation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cookie is a zip of one entry, unzipped by camel-zipfile with a 64 KiB bound. A zip of two entries (an older poolpair's
 * cookie) and a cookie.json that inflates past the bound are refused with their reason, even when the envelope inside
 * is genuine, and the pool keeps reading the cookies that follow.
 */
class CookieZipTest {

    @TempDir
    Path dir;

    @Test
    void cookieOfTwoEntriesIsRefusedAsFormatOneAndTheNextCookieStillCounts() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            byte[] envelope = genuineEnvelopeAcknowledgingBatchOne(pools);
            byte[] signature = "0".repeat(64).getBytes(StandardCharsets.US_ASCII);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put(Cookie.ENTRY, envelope);
            entries.put("cookie.sig", signature);
            Path cookie = plant(pools, CookieFiles.zip(entries));

            String reason = refusal(pools, cookie);
            assertTrue(reason.contains("more than one entry") && reason.contains("two-entry cookie of an older poolpair"), reason);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "a cookie of two entries acknowledged a batch");

            // the same envelope as the one entry it should be: read, and it counts
            Files.write(cookie, CookieFiles.zip(Map.of(Cookie.ENTRY, envelope)));
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }

    @Test
    void cookieEntryInflatingPastSixtyFourKibIsRefusedAndTheNextCookieStillCounts() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            byte[] envelope = genuineEnvelopeAcknowledgingBatchOne(pools);
            // the genuine envelope, then 16 MiB of white space (still valid JSON): a small file, far over 64 KiB inflated
            byte[] bomb = Arrays.copyOf(envelope, envelope.length + (16 << 20));
            Arrays.fill(bomb, envelope.length, bomb.length, (byte) ' ');
            byte[] zip = CookieFiles.zip(Map.of(Cookie.ENTRY, bomb));
            assertTrue(zip.length <= Cookie.MAX_FILE_BYTES, "the bomb passes the file size check: " + zip.length);
            Path cookie = plant(pools, zip);

            String reason = refusal(pools, cookie);
            assertTrue(reason.contains("inflates past 65536 bytes"), reason);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "a cookie bomb acknowledged a batch");

            Files.write(cookie, CookieFiles.zip(Map.of(Cookie.ENTRY, envelope)));
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }

    @Test
    void cookiePlantedAsSymbolicLinkIsRefusedUnreadAndTheNextCookieStillCounts() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            byte[] genuine = CookieFiles.zip(Map.of(Cookie.ENTRY, genuineEnvelopeAcknowledgingBatchOne(pools)));
            Path target = dir.resolve("elsewhere-cookie.zip");
            Files.write(target, genuine);
            Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
            Files.createSymbolicLink(cookie, target);
            TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3);

            String reason = refusal(pools, cookie);
            assertTrue(reason.contains("symbolic link"), reason);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch(), "a cookie link was followed");

            Files.delete(cookie);
            Files.write(cookie, genuine);
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }

    /**
     * poolA numbers batch 1 and poolB neither applies it nor writes cookies; the envelope poolB would write once it had:
     * signed with the pair's key, its incarnations, a fresh sequence.
     */
    private static byte[] genuineEnvelopeAcknowledgingBatchOne(TwoPools pools) throws Exception {
        pools.b.context().getRouteController().stopRoute("import-batches");
        pools.b.context().getRouteController().stopRoute("export-on-schedule");
        TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:zip-cookie@example.com");
        pools.a.syncNow();
        String importing = new StoreIncarnation(pools.b.store().dataSource()).current();
        String source = new StoreIncarnation(pools.a.store().dataSource()).current();
        Cookie cookie = new Cookie(Cookie.FORMAT, "poolB", "poolA", PRESENCE, 1, null, "NormalState", null, importing, source,
                null, null, System.currentTimeMillis() + 60_000);
        return cookie.toEnvelope(new Signer(pools.a.config().key()));
    }

    /** Writes {@code zip} as poolB's cookie in poolA's share and waits until the acknowledge route has polled it. */
    private static Path plant(TwoPools pools, byte[] zip) throws Exception {
        Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
        Files.write(cookie, zip);
        TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3); // whole polls of the cookie folder after the write
        assertArrayEquals(zip, Files.readAllBytes(cookie), "the planted cookie was the one read");
        return cookie;
    }

    /** Why poolA's read-cookie route refuses the file. */
    private static String refusal(TwoPools pools, Path cookie) {
        CamelExecutionException e = assertThrows(CamelExecutionException.class, () -> CookieFiles.read(pools.a, cookie));
        assertTrue(e.getCause() instanceof Cookie.CookieRejectedException, "not refused as a cookie: " + e.getCause());
        return e.getCause().getMessage();
    }
}
