package io.poolpair.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The acknowledgement an importing pool writes back into the exporting pool's share: {@code cookie.zip}
 * holding {@code cookie.json} (who applied what, up to which batch, in which state) and its signature.
 * {@code importingIncarnation} is the importing store's incarnation; {@code sourceIncarnation} the incarnation of
 * the exporting store whose batches {@code lastAppliedBatch} counts (null before it applied any);
 * {@code lastAppliedManifest} the sha256 of that batch's manifest (so the exporter can tell its own batch of that
 * number from one of a history it lost);
 * {@code contradiction} says that a batch of that incarnation differed from the one applied under its number (the
 * exporting store went back in time), else null;
 * {@code refused} names a batch of the exporting store that the importer rejected for a reason a re-send cannot cure
 * (intact and signed, but over a limit or failing a row check there), else absent: the exporter shows it as an error
 * and stops re-sending that batch.
 *
 * <p>{@code sequence} orders the cookies of one importing pool: strictly increasing from one cookie to the next (the
 * writer's clock in milliseconds, never below its previous cookie's plus one). The exporting pool ignores a cookie older
 * than one it has already read, so an old cookie replayed into its share moves its acknowledgement neither back nor
 * forward. The signature covers the {@link Signer.Kind#COOKIE} type label, so no other signed object passes for a cookie.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Cookie(int format, String importingPool, String sourcePool, String module, long lastAppliedBatch,
                     String appliedAt, String importState, String lastError, String importingIncarnation,
                     String sourceIncarnation, String lastAppliedManifest, String contradiction,
                     @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                     Refusal refused, long sequence) {

    /** A batch of {@code incarnation} refused for good, and why. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Refusal(long batch, String incarnation, String reason) {
    }

    /** A cookie that reports no refused batch. */
    public Cookie(int format, String importingPool, String sourcePool, String module, long lastAppliedBatch, String appliedAt,
                  String importState, String lastError, String importingIncarnation, String sourceIncarnation,
                  String lastAppliedManifest, String contradiction, long sequence) {
        this(format, importingPool, sourcePool, module, lastAppliedBatch, appliedAt, importState, lastError,
                importingIncarnation, sourceIncarnation, lastAppliedManifest, contradiction, null, sequence);
    }

    public static final int FORMAT = 2;
    static final String JSON_ENTRY = "cookie.json";
    static final String SIG_ENTRY = "cookie.sig";
    private static final int MAX_ENTRY_BYTES = 64 * 1024;
    /** A cookie file larger than this is not read: two entries of at most {@link #MAX_ENTRY_BYTES} and their headers. */
    public static final int MAX_FILE_BYTES = 2 * MAX_ENTRY_BYTES + 4096;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    public byte[] toZip(Signer signer) throws IOException {
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(JSON_ENTRY));
            zip.write(json);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(SIG_ENTRY));
            zip.write(signer.sign(Signer.Kind.COOKIE, json).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a cookie file, no more than {@link #MAX_FILE_BYTES} of it and without following a link, then authenticates
     * it as {@link #fromZip} does.
     */
    public static Cookie read(java.nio.file.Path file, Signer signer) throws CookieRejectedException, IOException {
        byte[] bytes;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new CookieRejectedException("the file is larger than " + MAX_FILE_BYTES + " bytes; a cookie is not");
        }
        return fromZip(bytes, signer);
    }

    /** Reads and authenticates a cookie; throws {@link CookieRejectedException} for anything not signed by the pair. */
    public static Cookie fromZip(byte[] zipBytes, Signer signer) throws CookieRejectedException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entries.size() >= 2 || (!entry.getName().equals(JSON_ENTRY) && !entry.getName().equals(SIG_ENTRY))) {
                    throw new CookieRejectedException("unexpected entry '" + entry.getName() + "'");
                }
                byte[] data = zip.readNBytes(MAX_ENTRY_BYTES + 1);
                if (data.length > MAX_ENTRY_BYTES) {
                    throw new CookieRejectedException(entry.getName() + " is too large");
                }
                entries.put(entry.getName(), data);
            }
        } catch (IOException e) {
            throw new CookieRejectedException("not a readable zip: " + e.getMessage());
        }
        byte[] json = entries.get(JSON_ENTRY);
        byte[] sig = entries.get(SIG_ENTRY);
        if (json == null || sig == null) {
            throw new CookieRejectedException("cookie.json or cookie.sig is missing");
        }
        String signature = new String(sig, StandardCharsets.US_ASCII);
        if (!signer.verify(Signer.Kind.COOKIE, json, signature)) {
            throw new CookieRejectedException(signer.isUnlabelled(json, signature)
                    ? "signed without a type label: the peer runs a poolpair older than typed signatures; upgrade both pools"
                    : "cookie.sig is not a cookie's signature under the pair's key (poolpair.key): forged, signed with"
                    + " another key, or another kind of signed object (a batch manifest or a failover notice)");
        }
        Cookie cookie;
        try {
            cookie = JSON.readValue(json, Cookie.class);
        } catch (IOException e) {
            throw new CookieRejectedException("cookie.json is malformed: " + e.getMessage());
        }
        if (cookie.format() != FORMAT || cookie.importingIncarnation() == null || cookie.sequence() <= 0) {
            throw new CookieRejectedException("cookie format " + cookie.format() + " is not supported (expected " + FORMAT
                    + ", with the importing store's incarnation and a sequence): upgrade both pools");
        }
        return cookie;
    }

    /** A cookie that must not be believed. */
    public static final class CookieRejectedException extends Exception {
        public CookieRejectedException(String message) {
            super(message);
        }
    }
}
