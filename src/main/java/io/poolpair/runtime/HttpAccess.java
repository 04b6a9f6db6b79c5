package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import io.poolpair.config.PrivateFiles;
import io.poolpair.status.BackupStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Who may use the HTTP endpoints. A request that changes state needs the pool's token in a header
 * ({@code Authorization: Bearer <token>} or {@code X-PoolPair-Token: <token>}, compared in constant time) and is
 * never accepted form-encoded, so a web page the operator opens cannot send it (no CSRF). A read without the token
 * gets the status without row keys, host, pid or error text. The token is {@code poolpair.http.token} or the
 * contents of {@code poolpair.http.token-file}; with neither, the service writes a random one into
 * {@code <poolpair.data-dir>/http.token} (0600) at start, where the local CLI reads it.
 */
public final class HttpAccess {

    /** The exchange property the routes set: true when the request carried the token. */
    public static final String AUTHORIZED = BackupStatus.AUTHORIZED;
    public static final String TOKEN_HEADER = "X-PoolPair-Token";
    static final String GENERATED_FILE = "http.token";

    private final byte[] token;

    private HttpAccess(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** In the service: the configured token, else a fresh random one written to the data folder for the local CLI. */
    public static HttpAccess start(PoolConfig config) {
        Optional<String> configured = config.httpToken();
        if (configured.isPresent()) {
            return new HttpAccess(configured.get());
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        if (!config.httpEnabled()) {
            return new HttpAccess(token); // no endpoint to call: nothing to hand to the CLI
        }
        Optional<String> kept = keptToken(generatedTokenFile(config));
        if (kept.isPresent()) {
            return new HttpAccess(kept.get()); // an earlier start's (or another instance's) token, still private
        }
        try {
            PrivateFiles.writeSecret(generatedTokenFile(config), token + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the HTTP token to " + generatedTokenFile(config), e);
        }
        return new HttpAccess(token);
    }

    /** The token an earlier start wrote, if it is a plain file only its owner can read. */
    private static Optional<String> keptToken(Path file) {
        try {
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) || PrivateFiles.readableByOthers(file)) {
                return Optional.empty();
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            return token.length() >= 32 ? Optional.of(token) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** For the CLI on the pool's host: the configured token, else the one the running service wrote. */
    public static Optional<String> clientToken(PoolConfig config) {
        Optional<String> configured = config.httpToken();
        if (configured.isPresent()) {
            return configured;
        }
        try {
            return Optional.of(Files.readString(generatedTokenFile(config), StandardCharsets.UTF_8).strip())
                    .filter(s -> !s.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static Path generatedTokenFile(PoolConfig config) {
        return config.dataDir().resolve(GENERATED_FILE);
    }

    /** The token as the CLI sends it. */
    public static String authorizationHeader(String token) {
        return "Bearer " + token;
    }

    /**
     * For every request: marks whether it carried the token ({@link #AUTHORIZED}) and refuses form-encoded
     * bodies (415), which a plain HTML form could send from another site.
     */
    public void admit(Exchange exchange) {
        String type = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
            throw new Refused(415, "form-encoded requests are not accepted; send the token in a header");
        }
        exchange.setProperty(AUTHORIZED, carriesToken(exchange));
        // the token is not passed on to the route's steps
        exchange.getIn().removeHeader("Authorization");
        exchange.getIn().removeHeader(TOKEN_HEADER);
    }

    /** For a request that changes state: 401 without the token. */
    public void requireToken(Exchange exchange) {
        admit(exchange);
        if (!Boolean.TRUE.equals(exchange.getProperty(AUTHORIZED, Boolean.class))) {
            throw new Refused(401, "this request needs the pool's token: send it as 'Authorization: Bearer <token>' or '"
                    + TOKEN_HEADER + ": <token>' (poolpair.http.token, poolpair.http.token-file, or the file "
                    + GENERATED_FILE + " the service writes in poolpair.data-dir)");
        }
    }

    private boolean carriesToken(Exchange exchange) {
        String sent = exchange.getIn().getHeader(TOKEN_HEADER, String.class);
        if (sent == null) {
            String authorization = exchange.getIn().getHeader("Authorization", String.class);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                sent = authorization.substring(7).strip();
            }
        }
        return sent != null && MessageDigest.isEqual(token, sent.getBytes(StandardCharsets.UTF_8));
    }

    /** A request refused with an HTTP status code (the routes answer it with that code and the message). */
    public static final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int getStatus() {
            return status;
        }
    }
}
