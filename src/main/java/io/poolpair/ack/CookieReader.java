package io.poolpair.ack;

import io.poolpair.batch.Cookie;
import io.poolpair.batch.Signer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The steps of the {@code read-cookie} route around its unzip (camel-zipfile, at most 64 KiB out): the file is refused
 * before anything is read when it is a link or larger than {@link Cookie#MAX_FILE_BYTES}; what the unzip refuses (more
 * than one entry, an entry inflating past the bound, not a zip) is named; the one entry is handed to
 * {@link Cookie#fromEnvelope}.
 */
public final class CookieReader {

    /** The route's bound on the unzipped entry; the route's {@code maxDecompressedSize} says the same number. */
    static final int MAX_DECOMPRESSED = Cookie.MAX_ENVELOPE_BYTES;

    private final Signer signer;

    public CookieReader(Signer signer) {
        this.signer = signer;
    }

    /** The cookie file's bytes: refused unread when it is a link or too large; read without following a link. */
    public byte[] load(@Body File file) throws IOException, Cookie.CookieRejectedException {
        Path path = file.toPath();
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink() || !attributes.isRegularFile()) {
            throw new Cookie.CookieRejectedException("the cookie is a " + (attributes.isSymbolicLink() ? "symbolic link"
                    : "folder or special file") + ", not a file: planted in the share; remove it");
        }
        if (attributes.size() > Cookie.MAX_FILE_BYTES) {
            throw new Cookie.CookieRejectedException("the file is " + attributes.size() + " bytes, larger than the "
                    + Cookie.MAX_FILE_BYTES + " a cookie can be: not read");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(Cookie.MAX_FILE_BYTES + 1);
        }
        if (bytes.length > Cookie.MAX_FILE_BYTES) {
            throw new Cookie.CookieRejectedException("the file grew past the " + Cookie.MAX_FILE_BYTES
                    + " bytes a cookie can be while it was read: not read");
        }
        return bytes;
    }

    /** In the unzip's doCatch: names what camel-zipfile refused, as the refusal of a cookie. */
    public void refuseZip(Exchange exchange) throws Cookie.CookieRejectedException {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String why = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
        if (why.contains("more than 1 entry")) {
            throw new Cookie.CookieRejectedException("the zip holds more than one entry; a cookie (format "
                    + Cookie.ENVELOPE_FORMAT + ") is the one entry " + Cookie.ENTRY + ". Two entries, cookie.json and"
                    + " cookie.sig, are the two-entry cookie of an older poolpair: the two pools of a pair run the same version"
                    + " (before 1.0), upgrade the peer; or the file is forged");
        }
        if (why.contains("exceeds the maximum allowed size")) {
            throw new Cookie.CookieRejectedException(Cookie.ENTRY + " inflates past " + MAX_DECOMPRESSED
                    + " bytes, more than a cookie holds: forged (a zip bomb); not read further");
        }
        throw new Cookie.CookieRejectedException("not a readable zip: " + why);
    }

    /** The cookie in the unzipped entry {@code entry}, authenticated. */
    public Cookie parse(@Body byte[] envelope, @Header(Exchange.FILE_NAME) String entry) throws Cookie.CookieRejectedException {
        if (!Cookie.ENTRY.equals(entry)) {
            throw new Cookie.CookieRejectedException("the zip's entry is '" + entry + "', not " + Cookie.ENTRY);
        }
        return Cookie.fromEnvelope(envelope, signer);
    }
}
