package io.poolpair.batch;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under the pair's shared key, for manifests, cookies and failover notices. Every signature covers a type
 * label before the signed bytes ({@link Kind}), so a signature made for one kind of object never verifies as another:
 * a cookie's signed bytes presented as a batch manifest or a failover notice are rejected.
 */
public final class Signer {

    /** What a signature vouches for; its label is signed with the bytes. */
    public enum Kind {
        BATCH_MANIFEST("poolpair/batch-manifest/v1"),
        COOKIE("poolpair/cookie/v1"),
        FAILOVER_NOTICE("poolpair/failover-notice/v1"),
        VERIFICATION("poolpair/verification/v1");

        private final byte[] label;

        Kind(String label) {
            this.label = (label + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** How a rejection names it. */
        public String what() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    private final SecretKeySpec key;

    public Signer(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    public String sign(Kind kind, byte[] data) {
        return HexFormat.of().formatHex(mac(kind.label, data));
    }

    public boolean verify(Kind kind, byte[] data, String signatureHex) {
        return MessageDigest.isEqual(sign(kind, data).getBytes(StandardCharsets.US_ASCII),
                signatureHex.strip().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * True when {@code signatureHex} is the pair's signature of {@code data} without a type label, as poolpair signed
     * before labels: such an object is rejected all the same, with an error that says to upgrade the peer.
     */
    public boolean isUnlabelled(byte[] data, String signatureHex) {
        return MessageDigest.isEqual(HexFormat.of().formatHex(mac(new byte[0], data)).getBytes(StandardCharsets.US_ASCII),
                signatureHex.strip().getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(byte[] label, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(label);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
