package io.poolpair.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The acknowledgement an importing pool writes back into the exporting pool's share: {@code cookie.zip}, a zip of the
 * one entry {@code cookie.json}, an envelope holding this record's JSON (who applied what, up to which batch, in which
 * state) as its payload and the payload's signature. The routes make and read the zip (camel-zipfile: write-cookie,
 * read-cookie); this class is the envelope and the payload, built and checked here only.
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
    /**
     * The envelope's format: the cookie file of one entry. Its own number, apart from the payload's, because the layout
     * before it (two entries, cookie.json and cookie.sig, with a payload of format 2) must not be mistaken for it.
     */
    public static final int ENVELOPE_FORMAT = 3;
    /** The one entry of {@code cookie.zip}: the envelope. */
    public static final String ENTRY = "cookie.json";
    /** The envelope's largest size, decompressed. */
    public static final int MAX_ENVELOPE_BYTES = 64 * 1024;
    /** A cookie file larger than this is not read: one entry of at most {@link #MAX_ENVELOPE_BYTES} and its headers. */
    public static final int MAX_FILE_BYTES = MAX_ENVELOPE_BYTES + 4096;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true); // nothing unsigned after the envelope

    /**
     * The envelope, the bytes of the zip's one entry {@code cookie.json}: {@code {"format": 3, "payload": <this cookie's
     * JSON as a string>, "signature": <HMAC of the payload's UTF-8 bytes, typed COOKIE>}}. The routes zip it.
     */
    public byte[] toEnvelope(Signer signer) throws IOException {
        String payload = JSON.writeValueAsString(this);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("format", ENVELOPE_FORMAT);
        envelope.put("payload", payload);
        envelope.put("signature", signer.sign(Signer.Kind.COOKIE, payload.getBytes(StandardCharsets.UTF_8)));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(envelope);
    }

    /**
     * Authenticates and reads an envelope (the unzipped {@code cookie.json}): at most {@link #MAX_ENVELOPE_BYTES}, of
     * format {@link #ENVELOPE_FORMAT}; the signature is checked over the payload's bytes before the payload is parsed.
     * Throws {@link CookieRejectedException} for anything not signed by the pair.
     */
    public static Cookie fromEnvelope(byte[] envelope, Signer signer) throws CookieRejectedException {
        if (envelope.length > MAX_ENVELOPE_BYTES) {
            throw new CookieRejectedException(ENTRY + " is " + envelope.length + " bytes, over the " + MAX_ENVELOPE_BYTES
                    + " a cookie holds");
        }
        JsonNode node;
        try {
            node = JSON.readTree(envelope);
        } catch (IOException e) {
            throw new CookieRejectedException(ENTRY + " is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject() || !node.path("format").isInt() || !node.path("payload").isTextual()
                || !node.path("signature").isTextual() || node.size() != 3) {
            throw new CookieRejectedException(ENTRY + " is not a cookie envelope {format, payload, signature}: written by a"
                    + " poolpair of another cookie format, or forged; the two pools of a pair run the same version"
                    + " (before 1.0): upgrade both");
        }
        int format = node.path("format").intValue();
        if (format != ENVELOPE_FORMAT) {
            throw new CookieRejectedException("cookie format " + format + " is not supported (expected " + ENVELOPE_FORMAT
                    + "): the two pools of a pair run the same version (before 1.0): upgrade both");
        }
        byte[] payload = node.path("payload").textValue().getBytes(StandardCharsets.UTF_8);
        String signature = node.path("signature").textValue();
        if (!signer.verify(Signer.Kind.COOKIE, payload, signature)) {
            throw new CookieRejectedException(signer.isUnlabelled(payload, signature)
                    ? "signed without a type label: the peer runs a poolpair older than typed signatures; upgrade both pools"
                    : "the signature is not a cookie's signature under the pair's key (poolpair.key): forged, signed with"
                    + " another key, or another kind of signed object (a batch manifest or a failover notice)");
        }
        Cookie cookie;
        try {
            cookie = JSON.readValue(payload, Cookie.class);
        } catch (IOException e) {
            throw new CookieRejectedException("the cookie's payload is malformed: " + e.getMessage());
        }
        if (cookie.format() != FORMAT || cookie.importingIncarnation() == null || cookie.sequence() <= 0) {
            throw new CookieRejectedException("cookie payload format " + cookie.format() + " is not supported (expected "
                    + FORMAT + ", with the importing store's incarnation and a sequence): upgrade both pools");
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
