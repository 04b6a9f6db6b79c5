package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.HttpAccess;
import java.net.URI;
import java.net.http.HttpRequest;

/**
 * A POST to the pool's running service on this host, with the pool's token: the configured one, else the one
 * the service wrote into its data folder at start.
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
}
