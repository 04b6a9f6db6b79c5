package io.poolpair.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Keys poolpair refuses: the sample keys it has published (known by their SHA-256, so the keys themselves need not be
 * kept in the code), and keys whose bytes carry too little entropy to resist guessing (a repeated word, a run of
 * one character). The estimate counts how often each byte value occurs (Shannon entropy times the length): 32
 * random bytes, or 64 random hex digits, are well above the bar; a short English phrase padded to 32 bytes is not.
 */
public final class KeyQuality {

    /** Bits of estimated entropy a key needs. */
    public static final int MIN_ENTROPY_BITS = 128;

    /** SHA-256 of each published sample key (config/examples/pair.key, stripped as poolpair reads it). */
    private static final Set<String> SAMPLE_KEY_SHA256 = Set.of(
            "bb7b82243ef07603145796696f71817d7baa2215a8225f3fb3b39f56d6aec1b7");

    private KeyQuality() {
    }

    public static boolean isSample(byte[] key) {
        return SAMPLE_KEY_SHA256.contains(sha256(key));
    }

    public static String sha256(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Estimated entropy of {@code key} in bits: its length times the Shannon entropy of its byte frequencies. */
    public static int entropyBits(byte[] key) {
        int[] counts = new int[256];
        for (byte b : key) {
            counts[b & 0xff]++;
        }
        double perByte = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / key.length;
                perByte -= p * Math.log(p) / Math.log(2);
            }
        }
        return (int) Math.floor(perByte * key.length);
    }
}
