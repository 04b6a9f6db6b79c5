package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.runtime.HttpAccess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code sync} reach a running instance by {@code --url} with no pool file, the token read from
 * {@code --token-file}; each failure is one line with its exit code. The instances are real runtimes with their HTTP
 * server on a free loopback port.
 */
class RemoteCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String url(TwoPools pools) {
        return "http://127.0.0.1:" + pools.a.config().httpPort();
    }

    /** The token poolA's service wrote into its data folder (no token configured), as an operator copies it. */
    private static String tokenFile(TwoPools pools) {
        return HttpAccess.generatedTokenFile(pools.a.config()).toString();
    }

    @Test
    void statusByUrlShowsTheRunningInstanceWithoutAPoolFile() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            // a batch exported and acknowledged: FinalState does not wait for the peer's first cookie of an empty module
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:remote@example.com");
            pools.syncUntilSettled();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            TwoPools.CommandResult result = TwoPools.cli("status", "--url", url(pools), "--token-file", tokenFile(pools),
                    "--module", PRESENCE, "--json");
            assertEquals(0, result.exit(), result.out() + result.err());
            JsonNode report = JSON.readTree(result.out());
            assertEquals("poolA", report.get("pool").asText());
            assertEquals(PRESENCE, report.get("modules").get(0).get("module").asText());
            assertEquals("FinalState", report.get("modules").get(0).get("exportStatus").asText());

            TwoPools.CommandResult table = TwoPools.cli("status", "--url", url(pools), "--token-file", tokenFile(pools),
                    "--module", PRESENCE);
            assertEquals(0, table.exit(), table.out() + table.err());
            assertTrue(table.out().contains("Pool poolA, paired with poolB"), table.out());
        }
    }

    @Test
    void syncByUrlRunsTheCycleInTheServiceAndWaitsForTheAcknowledgement() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:remote@example.com");
            TwoPools.CommandResult result = TwoPools.cli("sync", "--url", url(pools), "--token-file", tokenFile(pools),
                    "--module", PRESENCE, "--wait", "--timeout", "PT30S");
            assertEquals(0, result.exit(), result.out() + result.err());
            assertTrue(result.out().contains("export cycle ran in the service at " + url(pools)), result.out());
            assertTrue(result.out().contains("FinalState"), result.out());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:remote@example.com"));
        }
    }

    @Test
    void syncByUrlWithAWrongTokenExitsTwoNamingTheTokenFile() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path wrong = dir.resolve("wrong.token");
            Files.writeString(wrong, "not-the-pool's-token-0123456789abcdef\n");
            TwoPools.CommandResult result = TwoPools.cli("sync", "--url", url(pools), "--token-file", wrong.toString());
            assertEquals(2, result.exit(), result.out() + result.err());
            assertTrue(result.err().contains("refused the token from --token-file " + wrong), result.err());
            assertEquals(1, result.err().strip().lines().count(), result.err());
        }
    }

    @Test
    void syncByUrlWithoutATokenExitsTwoSayingHowToPassIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("POOLPAIR_HTTP_TOKEN") == null);
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.CommandResult result = TwoPools.cli("sync", "--url", url(pools));
            assertEquals(2, result.exit(), result.out() + result.err());
            assertTrue(result.err().contains("pass it with --token-file FILE or the environment variable POOLPAIR_HTTP_TOKEN"),
                    result.err());
        }
    }

    @Test
    void statusByUrlWhereNothingListensExitsThreeWithOneLine() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        TwoPools.CommandResult result = TwoPools.cli("status", "--url", "http://127.0.0.1:" + port);
        assertEquals(3, result.exit(), result.out() + result.err());
        assertTrue(result.err().startsWith("poolpair: cannot reach the service at http://127.0.0.1:" + port), result.err());
        assertEquals(1, result.err().strip().lines().count(), result.err());
    }

    @Test
    void urlAndConfigTogetherAreRefusedAsUsage() {
        TwoPools.CommandResult result = TwoPools.cli("status", "--url", "http://127.0.0.1:1", "--config", "poolA.properties");
        assertEquals(2, result.exit(), result.out() + result.err());
        assertTrue(result.err().contains("expected only one match"), result.err());
    }
}
