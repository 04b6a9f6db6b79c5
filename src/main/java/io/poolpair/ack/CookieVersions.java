package io.poolpair.ack;

import io.poolpair.batch.Cookie;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;

/**
 * Tells a new version of a cookie from one already handled, by its content and modification time. The peer replaces
 * its cookie in place; name, modification time and size do not tell versions apart on shares that keep coarse times
 * (two cookies of a burst within the same second, of equal size), so the last of a burst would never be read; and the
 * same content rewritten later (the peer's heartbeat) is news too. The acknowledge route
 * polls every cookie, lets through only a version whose sha256 differs from the last one handled at that path, and
 * records it once handled (or refused: a refused version stays refused, and is not logged again at each poll).
 * A file larger than a cookie can be ({@link Cookie#MAX_FILE_BYTES}) is not read here either: its size and time stand
 * for its content, and the read-cookie route refuses it unread.
 */
public final class CookieVersions {

    /** Exchange properties: the sha256 of the version being handled, and its path. */
    static final String DIGEST = "PoolPairCookieDigest";
    static final String PATH = "PoolPairCookiePath";

    private final Map<String, String> handled = new ConcurrentHashMap<>();

    /** Route filter: true when the cookie file holds a version not handled yet. */
    public boolean isNew(Exchange exchange) throws IOException {
        Path file = exchange.getMessage().getBody(File.class).toPath();
        String digest;
        try {
            digest = sha256(file);
        } catch (NoSuchFileException e) {
            return false; // the peer is replacing it right now: the next poll reads the new version
        }
        exchange.setProperty(DIGEST, digest);
        exchange.setProperty(PATH, file.toString());
        return !digest.equals(handled.get(file.toString()));
    }

    /** Records the version this exchange handled (applied or refused). */
    public void handled(Exchange exchange) {
        String digest = exchange.getProperty(DIGEST, String.class);
        String path = exchange.getProperty(PATH, String.class);
        if (digest != null && path != null) {
            handled.put(path, digest);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isSymbolicLink(file)) {
            return "link"; // refused by the read-cookie route, once
        }
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            if (size <= Cookie.MAX_FILE_BYTES) {
                md.update(in.readNBytes(Cookie.MAX_FILE_BYTES + 1));
            } // else it is refused unread: its size and time tell its versions apart
            // and when it was written: the peer's heartbeat rewrites an unchanged cookie every cycle, and each write is
            // news (the peer is alive); name, time and size alone missed a version written in the same second
            md.update((size + "@" + Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis()).getBytes());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
