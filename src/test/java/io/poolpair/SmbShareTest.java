package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peer shares reached over SMB, chosen by the share URI alone ({@code smb://host:port/shareName?username=..}):
 * the scenarios of {@link RemoteShareScenarios} (replication both ways with atomic publish, re-send of a lost
 * batch, quarantine, outage and recovery) through a real Samba server on loopback that serves each pool's
 * share folder as the SMB share named after the pool (and the pair's folder as the share {@code pair}).
 */
class SmbShareTest extends RemoteShareScenarios {

    private SmbServer smb;

    @BeforeEach
    void startSmbd() throws Exception {
        smb = SmbServer.start(dir, Map.of(A, share(A), B, share(B), "pair", pairDir()));
    }

    @AfterEach
    void stopSmbd() throws Exception {
        if (smb != null) {
            smb.close();
        }
    }

    @Override
    String transport() {
        return "smb";
    }

    @Override
    String shareUri(String pool) {
        return smb.shareUri(pool);
    }

    @Override
    void stopServer() throws Exception {
        smb.stop();
    }

    @Override
    void startServer() throws Exception {
        smb.start();
    }

    @Test
    void theSharesPasswordIsShownNeitherInTheLogNorInEndpointUrisNorByConfig() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // slf4j-simple writes to the System.err of the moment
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                captured.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try (TwoPools pools = TwoPools.start(pairDir(), Map.of(), Map.of("poolpair.share.peer", shareUri(B)),
                Map.of("poolpair.share.peer", shareUri(A)))) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:quiet@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:quiet@example.com"));
            String endpoints = pools.a.context().getEndpoints().toString();
            assertTrue(endpoints.contains("smb://127.0.0.1"), endpoints);
            assertFalse(endpoints.contains(smb.password()), endpoints);

            Path file = pairDir().resolve("poolA-over-smb.properties");
            Files.writeString(file, Files.readString(pools.configFile(A)) + "poolpair.share.peer = " + shareUri(B) + "\n");
            TwoPools.CommandResult config = TwoPools.cli("config", "--config", file.toString());
            assertEquals(0, config.exit(), config.err());
            assertTrue(config.out().contains("username=root&password=******"), config.out());
            assertFalse(config.out().contains(smb.password()), config.out());
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("poolpair.share.peer-endpoint"), "the start-up log lists the share endpoint");
        assertFalse(log.contains(smb.password()), "the password is not in the log");
    }

    @Test
    void aShareRootInAFolderOfTheSmbShareIsReachedByItsPathForPublishReSendAndCookies() throws Exception {
        try (TwoPools pools = TwoPools.start(pairDir(), Map.of(), Map.of("poolpair.share.peer", smb.shareUri("pair", B + "/share")),
                Map.of("poolpair.share.peer", smb.shareUri("pair", A + "/share")))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:in-a-folder@example.com");
            pools.a.syncNow();
            Path published = share(B).resolve("UserServices/PresenceFocus/Data").resolve(new BatchName(A, PRESENCE, 1).fileName());
            assertTrue(Files.exists(published), "published into poolB's share, a folder of the SMB share 'pair'");
            Files.delete(published);
            TwoPools.await("the lost batch is back in poolB's share", () -> {
                pools.a.syncNow();
                return Files.exists(published);
            });
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertTrue(Files.exists(share(A).resolve("UserServices/PresenceFocus/Cookie/cookie.zip")), "the cookie came back");
            assertEquals(1, TwoPools.contacts(pools.b, "sip:in-a-folder@example.com"));
        }
    }
}
