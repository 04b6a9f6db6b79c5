package io.poolpair.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The pair's key and the HTTP token, each read once at load from its key or its file, and checked. */
final class Secrets {

    static final int MIN_KEY_BYTES = 32;
    static final int MIN_HTTP_TOKEN_CHARS = 16;

    private static final String KEYGEN_HINT = ": make a fresh key with 'poolpair keygen <file>', set poolpair.key-file"
            + " to it and copy the same file to the paired pool";

    private Secrets() {
    }

    /** The pair's shared secret: {@code poolpair.key}, or the contents of {@code poolpair.key-file} (as configured: {@code fileText}). */
    static byte[] pairKey(String inline, Optional<Path> file, String fileText) {
        byte[] key;
        String from;
        if (!inline.isEmpty()) {
            key = inline.getBytes(StandardCharsets.UTF_8);
            from = "poolpair.key";
        } else if (file.isPresent()) {
            try {
                key = Files.readString(file.get()).trim().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException("poolpair.key-file = " + fileText + ": cannot read it (" + e.getMessage() + ")"
                        + KEYGEN_HINT, e);
            }
            from = "poolpair.key-file";
        } else {
            throw new ConfigException("poolpair.key is missing: set the pair's shared secret (the same on both pools,"
                    + " at least " + MIN_KEY_BYTES + " bytes) with poolpair.key or poolpair.key-file");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new ConfigException(from + " is " + key.length + " bytes long: use at least " + MIN_KEY_BYTES + " bytes"
                    + KEYGEN_HINT);
        }
        if (KeyQuality.isSample(key)) {
            throw new ConfigException(from + " holds the published sample key of config/examples/: anyone can sign"
                    + " batches with it" + KEYGEN_HINT);
        }
        if (KeyQuality.entropyBits(key) < KeyQuality.MIN_ENTROPY_BITS) {
            throw new ConfigException(from + " looks guessable (about " + KeyQuality.entropyBits(key) + " bits of entropy,"
                    + " at least " + KeyQuality.MIN_ENTROPY_BITS + " needed)" + KEYGEN_HINT);
        }
        return key;
    }

    /** The HTTP token the operator configured ({@code poolpair.http.token} or {@code poolpair.http.token-file}), if any. */
    static Optional<String> httpToken(String inline, Optional<Path> file, String fileText) {
        if (!inline.isEmpty() && file.isPresent()) {
            throw new ConfigException("poolpair.http.token and poolpair.http.token-file are both set: set one of them");
        }
        String token;
        String from;
        if (!inline.isEmpty()) {
            token = inline;
            from = "poolpair.http.token";
        } else if (file.isPresent()) {
            try {
                token = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException("poolpair.http.token-file = " + fileText + ": cannot read it (" + e.getMessage()
                        + ")", e);
            }
            from = "poolpair.http.token-file";
        } else {
            return Optional.empty();
        }
        if (token.length() < MIN_HTTP_TOKEN_CHARS || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigException(from + ": use a token of at least " + MIN_HTTP_TOKEN_CHARS
                    + " printable ASCII characters without spaces (e.g. openssl rand -hex 32)");
        }
        return Optional.of(token);
    }

    /**
     * Why the store may not be opened with these credentials, or empty: an H2 store (other than an in-memory one) needs
     * a password. Its AUTO_SERVER port, open so that commands can read the store while the service runs, takes
     * connections from every local user; with H2's {@code sa} and an empty password any of them could read and change
     * the store. The demo and the tests write a random password for each pool.
     */
    static Optional<String> datasourcePasswordProblem(String url, String password) {
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || !password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("poolpair.datasource.url = " + SecretText.mask(url) + " is an H2 store with an empty"
                + " poolpair.datasource.password: any local user could connect to it (H2 listens on a loopback port while"
                + " the service runs). Set poolpair.datasource.password (or the environment variable"
                + " POOLPAIR_DATASOURCE_PASSWORD) for a new store; for a store made without one, set the password in it first"
                + " (H2 Shell: ALTER USER SA SET PASSWORD '...') with the service stopped");
    }
}
