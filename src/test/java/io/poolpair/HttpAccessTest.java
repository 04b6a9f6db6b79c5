package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.status.BackupStatus;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may use the HTTP endpoints: loopback by default, a token for anything that changes state, no detail without it. */
class HttpAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static String base(TwoPools pools) {
        return "http://127.0.0.1:" + pools.a.config().httpPort();
    }

    private static String generatedToken(TwoPools pools) throws IOException {
        return Files.readString(pools.a.config().dataDir().resolve("http.token")).strip();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void syncWithoutTokenIsRefusedAndWithTheGeneratedTokenRuns() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path tokenFile = pools.a.config().dataDir().resolve("http.token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = generatedToken(pools);
            assertEquals(64, token.length(), token);
            URI sync = URI.create(base(pools) + "/poolpair/sync");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:token@example.com");

            HttpResponse<String> none = send(HttpRequest.newBuilder(sync).POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(401, none.statusCode(), none.body());
            HttpResponse<String> wrong = send(HttpRequest.newBuilder(sync).header("Authorization", "Bearer " + token.substring(1) + "0")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(401, wrong.statusCode(), wrong.body());
            // a plain HTML form on any web page could send this one: never accepted, even with the token
            HttpResponse<String> form = send(HttpRequest.newBuilder(sync).header("X-PoolPair-Token", token)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("full=true")));
            assertEquals(415, form.statusCode(), form.body());
            HttpResponse<String> multipart = send(HttpRequest.newBuilder(sync).header("X-PoolPair-Token", token)
                    .header("Content-Type", "multipart/form-data; boundary=x").POST(HttpRequest.BodyPublishers.ofString("--x--")));
            assertEquals(415, multipart.statusCode(), multipart.body());
            assertEquals(0, pools.exportState(pools.a, PRESENCE).lastBatch(), "a refused request ran an export cycle");

            HttpResponse<String> bearer = send(HttpRequest.newBuilder(sync).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, bearer.statusCode(), bearer.body());
            assertEquals(1, pools.exportState(pools.a, PRESENCE).lastBatch());
            HttpResponse<String> header = send(HttpRequest.newBuilder(sync).header("X-PoolPair-Token", token)
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, header.statusCode(), header.body());
        }
    }

    @Test
    void configuredTokenIsRequiredAndTheCliSendsIt() throws Exception {
        String token = "configured-token-0123456789";
        try (TwoPools pools = TwoPools.start(dir, Map.of("poolpair.http.token", token))) {
            assertFalse(Files.exists(pools.a.config().dataDir().resolve("http.token")), "a token file beside a configured token");
            URI sync = URI.create(base(pools) + "/poolpair/sync");
            assertEquals(401, send(HttpRequest.newBuilder(sync).POST(HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(200, send(HttpRequest.newBuilder(sync).header("X-PoolPair-Token", token)
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        }
    }

    @Test
    void statusWithoutTokenShowsNoErrorTextHostOrPid() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path category = pools.b.config().shareLocal().resolve("UserServices");
            Files.move(category, dir.resolve("aside"));
            Files.writeString(category, "a file where the folder should be");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:secret-row@example.com");
            pools.a.syncNow();
            URI status = URI.create(base(pools) + "/poolpair/status");

            HttpResponse<String> anonymous = send(HttpRequest.newBuilder(status).GET());
            assertEquals(200, anonymous.statusCode(), anonymous.body());
            assertFalse(anonymous.body().contains(category.toString()), anonymous.body());
            assertFalse(anonymous.body().contains(InetAddress.getLocalHost().getHostName() + "\""), anonymous.body());
            JsonNode open = JSON.readTree(anonymous.body());
            JsonNode module = open.get("modules").get(0);
            assertEquals("ErrorState", module.get("exportStatus").asText());
            assertEquals(BackupStatus.ERROR_WITHOUT_TOKEN, module.get("lastError").asText());
            assertTrue(open.get("activeInstance").get("host").isNull(), anonymous.body());
            assertEquals(0, open.get("activeInstance").get("pid").asLong(), anonymous.body());

            HttpResponse<String> operator = send(HttpRequest.newBuilder(status).header("Authorization", "Bearer "
                    + generatedToken(pools)).GET());
            JsonNode full = JSON.readTree(operator.body());
            assertTrue(full.get("modules").get(0).get("lastError").asText().contains(category.toString()), operator.body());
            assertEquals(ProcessHandle.current().pid(), full.get("activeInstance").get("pid").asLong(), operator.body());

            HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(base(pools) + "/observe/health")).GET());
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("UserServices.PresenceFocus is in ErrorState"), health.body());
            // Camel escapes the slashes of a path there: look for the test folder's name instead
            assertFalse(health.body().contains(dir.getFileName().toString()), "health shows the error text: " + health.body());
        }
    }

    @Test
    void incomingPoolPairHeadersAndQueryParametersDoNotReachTheRoutes() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            List<Map<String, Object>> seen = Collections.synchronizedList(new java.util.ArrayList<>());
            EventNotifierSupport spy = new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeSendingEvent sending
                            && sending.getEndpoint().getEndpointUri().startsWith("direct://sync")) {
                        seen.add(new ConcurrentHashMap<>(sending.getExchange().getIn().getHeaders()));
                    }
                }
            };
            ServiceHelper.startService(spy);
            pools.a.context().getManagementStrategy().addEventNotifier(spy);
            HttpResponse<String> sync = send(HttpRequest.newBuilder(URI.create(base(pools)
                    + "/poolpair/sync?PoolPairBatch=999&poolpairRows=5")).header("X-PoolPair-Token", generatedToken(pools))
                    .header("PoolPairBatchesThisCycle", "1000").header("poolpairmodule", "No.Such")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, sync.statusCode(), sync.body());
            assertEquals(1, seen.size(), "direct:sync was called once: " + seen);
            Map<String, Object> headers = seen.get(0);
            for (String name : headers.keySet()) {
                assertFalse(name.regionMatches(true, 0, "PoolPair", 0, 8) && !name.equals("PoolPairModules"),
                        "request header reached direct:sync: " + name + " in " + headers);
                assertFalse(name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("X-PoolPair-Token"),
                        "the token reached direct:sync: " + headers);
            }
            assertNotNull(headers.get("PoolPairModules"), "the route's own header: " + headers);
        }
    }

    @Test
    void serverListensOnLoopbackOnlyByDefault() throws Exception {
        InetAddress external = null;
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && nic.isUp()) {
                    external = address;
                }
            }
        }
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
        try (TwoPools pools = TwoPools.start(dir)) {
            int port = pools.a.config().httpPort();
            try (Socket local = new Socket()) {
                local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            }
            InetAddress address = external;
            assertThrows(IOException.class, () -> {
                try (Socket remote = new Socket()) {
                    remote.connect(new InetSocketAddress(address, port), 2000);
                }
            }, "the HTTP port answers on " + external);
        }
    }
}
