package io.poolpair.batch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * How a content file (conference content) travels in a batch: the entry {@code content/<table>/<path>}, its path
 * being the row's key values as segments; when entries are encrypted, {@code content/<table>/<n>} (the entry's
 * position in the manifest) with the path inside the encrypted entry, before the file's bytes, as a 2-byte length
 * and UTF-8 ({@link #writeSealedPath}).
 */
public final class ContentEntries {

    /** The longest relative path a sealed content entry may name (its header's length is checked before it is read). */
    public static final int MAX_SEALED_PATH_BYTES = 4096;

    private ContentEntries() {
    }

    public static String entryPrefix(String table) {
        return "content/" + table + "/";
    }

    /** The entry of the file at {@code relativePath} in plain batches. */
    public static String entryName(String table, String relativePath) {
        return entryPrefix(table) + relativePath;
    }

    /** The name of the {@code index}-th entry of an encrypted batch: no key value stands in plain text. */
    public static String sealedEntryName(String table, int index) {
        return entryPrefix(table) + index;
    }

    /** Writes the header of a sealed content entry: the file's relative path (2-byte length, UTF-8), before its bytes. */
    public static void writeSealedPath(OutputStream plain, String relativePath) throws IOException {
        byte[] path = relativePath.getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_SEALED_PATH_BYTES) {
            throw new IOException("content path " + relativePath + " is longer than " + MAX_SEALED_PATH_BYTES + " bytes");
        }
        plain.write(path.length >>> 8);
        plain.write(path.length & 0xff);
        plain.write(path);
    }
}
