package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Signer;
import io.poolpair.state.FailoverState;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.share.ShareLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed objects replayed or passed off as another kind: every signature names its kind, cookies and failover notices
 * carry a sequence (and notices an expiry), and an older one found in the share after a newer is ignored.
 */
class ReplayTest {

    @TempDir
    Path dir;

    private static FailoverState failover(PoolPairRuntime pool) {
        return pool.context().getRegistry().lookupByNameAndType("failoverState", FailoverState.class);
    }

    private static Path cookieOf(PoolPairRuntime exporter) {
        return exporter.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
    }

    @Test
    void signatureOfOneKindNeverVerifiesAsAnother() {
        Signer signer = new Signer("a-pair-key-of-at-least-32-bytes-for-this-test".getBytes(StandardCharsets.UTF_8));
        byte[] data = "{\"sourcePool\":\"poolA\"}".getBytes(StandardCharsets.UTF_8);
        String cookieSignature = signer.sign(Signer.Kind.COOKIE, data);
        assertTrue(signer.verify(Signer.Kind.COOKIE, data, cookieSignature));
        assertFalse(signer.verify(Signer.Kind.FAILOVER_NOTICE, data, cookieSignature));
        assertFalse(signer.verify(Signer.Kind.BATCH_MANIFEST, data, cookieSignature));
    }

    @Test
    void oldFailoverNoticeReplayedAfterFailbackDoesNotSupersedeThePool() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            FailoverState onB = failover(pools.b);
            FailoverState onA = failover(pools.a);
            onB.begin();
            pools.b.syncNow();
            TwoPools.await("poolA reads poolB's acting notice", () -> onA.supersededSince().isPresent());
            Path notice = pools.a.config().shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve("poolB.acting-for.json");
            byte[] acting = Files.readAllBytes(notice);

            onB.startFailback();
            onB.handBack();
            pools.b.syncNow();
            TwoPools.await("poolA reads the handed-back notice", () -> onA.supersededSince().isEmpty());

            pools.b.context().getRouteController().stopRoute("export-on-schedule"); // no newer notice overwrites the replay
            Files.write(notice, acting);
            assertTrue(onA.supersededSince().isEmpty(), "a replayed acting notice made poolA superseded again");
            assertArrayEquals(acting, Files.readAllBytes(notice), "the replayed notice was the one read");
        }
    }

    @Test
    void actingNoticeNotRenewedExpires() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.failover.notice-validity", "PT15S"))) {
            FailoverState onB = failover(pools.b);
            FailoverState onA = failover(pools.a);
            onB.begin();
            pools.b.syncNow();
            TwoPools.await("poolA reads poolB's acting notice", () -> onA.supersededSince().isPresent());
            pools.b.context().getRouteController().stopRoute("export-on-schedule"); // poolB renews it no more
            Path notice = pools.a.config().shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve("poolB.acting-for.json");
            byte[] last = Files.readAllBytes(notice);
            TwoPools.await("the notice expires", () -> onA.supersededSince().isEmpty());
            assertArrayEquals(last, Files.readAllBytes(notice), "the notice that expired is still the one in the share");
        }
    }

    @Test
    void olderCookieReplayedIsIgnored() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            byte[] old = Files.readAllBytes(cookieOf(pools.a));
            assertEquals(1, CookieFiles.read(pools.a, cookieOf(pools.a)).lastAppliedBatch());

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:second@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 2);
            // poolB writes no more cookies: the replayed one stays in the share
            pools.b.context().getRouteController().stopRoute("export-on-schedule");
            pools.b.context().getRouteController().stopRoute("import-batches");

            Files.write(cookieOf(pools.a), old);
            TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3);
            assertArrayEquals(old, Files.readAllBytes(cookieOf(pools.a)), "the replayed cookie was the one read");
            var export = pools.exportState(pools.a, PRESENCE);
            assertEquals(2, export.ackedBatch(), "the replayed cookie moved the acknowledgement");
            assertFalse(export.restoreRequested(), "the replayed cookie was taken for poolB going back in time: "
                    + export.restoreReason());
        }
    }

    @Test
    void cookiePresentedAsABatchIsQuarantinedForItsSignatureKind() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:cookie-source@example.com");
            pools.b.syncNow();
            pools.awaitAcknowledged(pools.b, PRESENCE, 1);
            // poolA's cookie (signed by poolA, about poolB's batches) repackaged as a batch of poolA for poolB: its
            // signed payload as the manifest, its signature as the manifest's
            JsonNode envelope;
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(cookieOf(pools.b))))) {
                assertEquals("cookie.json", in.getNextEntry().getName());
                envelope = new ObjectMapper().readTree(in.readAllBytes());
            }
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(batch)) {
                out.putNextEntry(new ZipEntry("manifest.json"));
                out.write(envelope.path("payload").textValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                out.putNextEntry(new ZipEntry("manifest.sig"));
                out.write(envelope.path("signature").textValue().getBytes(StandardCharsets.US_ASCII));
                out.closeEntry();
            }
            Files.write(pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName()),
                    batch.toByteArray());
            TwoPools.await("the file is quarantined", () -> pools.importState(pools.b, PRESENCE).quarantined() == 1);
            String error = pools.importState(pools.b, PRESENCE).lastError();
            assertTrue(error.contains("not a batch manifest's signature"), error);
        }
    }
}
