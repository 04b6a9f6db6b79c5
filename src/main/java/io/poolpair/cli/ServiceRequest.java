package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.HttpAccess;
import io.poolpair.runtime.PoolPairRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A POST to the pool's running service on this host, with the pool's token: the configured one, else the one
 * the service wrote into its data folder at start. A command that changes something runs through the service
 * when it runs ({@link #send}), else in this process ({@link #inProcess}).
 */
final class ServiceRequest {

    private ServiceRequest() {
    }

    static HttpRequest post(PoolConfig pool, String pathAndQuery) {
        String host = pool.httpHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1"; // every interface: this host's loopback is one of them
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + pool.httpPort() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpAccess.clientToken(pool).ifPresent(token -> request.header("Authorization", HttpAccess.authorizationHeader(token)));
        return request.build();
    }

    static String describe(PoolConfig pool) {
        return "http://" + pool.httpHost() + ":" + pool.httpPort();
    }

    /** The running service's answer to a POST, or empty when no service listens here (the caller then runs in-process). */
    static Optional<HttpResponse<String>> send(PoolConfig pool, String pathAndQuery) throws IOException, InterruptedException {
        if (!pool.httpEnabled()) {
            return Optional.empty();
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            return Optional.of(client.send(post(pool, pathAndQuery), HttpResponse.BodyHandlers.ofString()));
        } catch (ConnectException e) {
            return Optional.empty();
        }
    }

    /** The pool's service started in this process for one command: no schedule, no HTTP server, no election. */
    static PoolPairRuntime inProcess(ConfigOption config) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("poolpair.export.on-schedule", "false");
        overrides.put("poolpair.http.enabled", "false");
        overrides.put("poolpair.cluster.enabled", "false");
        return PoolPairRuntime.create(config.load(overrides)).start();
    }
}
