package io.poolpair.verify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Signer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A verification file as it lies in a share: {@code <Category>/<Module>/Verify/<from>-<id>-<round>.<kind>.zip}
 * holding {@code verify.json} and {@code verify.sig} (HMAC-SHA256 under the pair's key, like manifests and cookies).
 * Nothing in it is believed before the signature is checked; sizes are bounded while it is read.
 */
public final class VerifyFile {

    static final String JSON_ENTRY = "verify.json";
    static final String SIG_ENTRY = "verify.sig";
    private static final int MAX_SIG_BYTES = 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+-[0-9a-f-]{36}-[12]\\.(request|response)\\.zip");
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    private VerifyFile() {
    }

    /** The file's name for a message. */
    public static String fileName(VerifyMessage message) {
        return message.fromPool() + "-" + message.id() + "-" + message.round() + "." + message.kind() + ".zip";
    }

    /** Whether a name is one this pool writes (anything else in a Verify folder is quarantined unread). */
    static boolean wellNamed(String name) {
        return NAME.matcher(name).matches();
    }

    public static byte[] write(VerifyMessage message, Signer signer) throws IOException {
        byte[] json = JSON.writeValueAsBytes(message);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(JSON_ENTRY));
            zip.write(json);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(SIG_ENTRY));
            zip.write(sign(signer, json).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** The one place a verification file is signed: under its own type label, so no other signed object passes for it. */
    static String sign(Signer signer, byte[] json) {
        return signer.sign(Signer.Kind.VERIFICATION, json);
    }

    static boolean signatureMatches(Signer signer, byte[] json, String signature) {
        return signer.verify(Signer.Kind.VERIFICATION, json, signature);
    }

    /**
     * Reads and authenticates a verification file of at most {@code maxJsonBytes} of JSON; throws
     * {@link BatchRejectedException} (the file goes to quarantine) for anything not signed by the pair.
     */
    public static VerifyMessage read(InputStream in, Signer signer, long maxJsonBytes) throws BatchRejectedException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entries.size() >= 2 || (!entry.getName().equals(JSON_ENTRY) && !entry.getName().equals(SIG_ENTRY))
                        || entries.containsKey(entry.getName())) {
                    throw new BatchRejectedException("verification file: unexpected entry '" + entry.getName() + "'");
                }
                long limit = entry.getName().equals(SIG_ENTRY) ? MAX_SIG_BYTES : maxJsonBytes;
                byte[] data = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                if (data.length > limit) {
                    throw new BatchRejectedException("verification file: " + entry.getName() + " is larger than " + limit
                            + " bytes (poolpair.verify.max-listed-rows bounds it)");
                }
                entries.put(entry.getName(), data);
            }
        } catch (IOException e) {
            throw new BatchRejectedException("verification file: not a readable zip: " + e.getMessage());
        }
        byte[] json = entries.get(JSON_ENTRY);
        byte[] sig = entries.get(SIG_ENTRY);
        if (json == null || sig == null) {
            throw new BatchRejectedException("verification file: verify.json or verify.sig is missing");
        }
        if (!signatureMatches(signer, json, new String(sig, StandardCharsets.US_ASCII))) {
            throw new BatchRejectedException("verification file: signature does not match the pair's key");
        }
        VerifyMessage message;
        try {
            message = JSON.readValue(json, VerifyMessage.class);
        } catch (IOException e) {
            throw new BatchRejectedException("verification file: verify.json is malformed: " + e.getMessage());
        }
        if (message.format() != VerifyMessage.FORMAT) {
            throw new BatchRejectedException("verification file format " + message.format() + " is not supported (expected "
                    + VerifyMessage.FORMAT + "): upgrade both pools");
        }
        if (message.id() == null || message.kind() == null || message.module() == null || message.tables() == null
                || message.fromPool() == null || message.toPool() == null) {
            throw new BatchRejectedException("verification file: id, kind, module, pools or tables missing");
        }
        return message;
    }

    static VerifyMessage read(byte[] zip, Signer signer, long maxJsonBytes) throws BatchRejectedException {
        return read(new ByteArrayInputStream(zip), signer, maxJsonBytes);
    }
}
