package io.poolpair.batch;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 under the pair's shared key, for manifests and cookies. */
public final class Signer {

    private final SecretKeySpec key;

    public Signer(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    public String sign(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public boolean verify(byte[] data, String signatureHex) {
        byte[] expected = sign(data).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] actual = signatureHex.strip().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, actual);
    }
}
