package io.poolpair.batch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Entries every batch zip ends with or may carry: content files, then the manifest and its signature. */
public final class BatchZip {

    private BatchZip() {
    }

    /**
     * Streams a content file into the zip as {@code content/<table>/<path>} and lists it for the manifest. When entries
     * are encrypted, the path (the row's key values) is not in the name: the entry is {@code content/<table>/<n>} and
     * the path goes inside it, encrypted, before the file's bytes.
     */
    public static void writeContent(ZipOutputStream zip, List<Manifest.Entry> entries, String table, String relative,
                                    Path file, EntryCipher cipher) throws IOException {
        String name = cipher == null ? ContentEntries.entryName(table, relative)
                : ContentEntries.sealedEntryName(table, entries.size() + 1);
        zip.putNextEntry(new ZipEntry(name));
        EntryStream out = new EntryStream(zip);
        try (OutputStream target = sealed(out, cipher, name)) {
            if (cipher != null) {
                ContentEntries.writeSealedPath(target, relative);
            }
            Files.copy(file, target);
        }
        zip.closeEntry();
        entries.add(new Manifest.Entry(name, table, Manifest.Entry.CONTENT, out.size(), out.sha256()));
    }

    /**
     * Where an entry's bytes go: straight into the entry, or through the cipher when batches are encrypted.
     * Sizes and sha256 in the manifest are those of the bytes in the zip.
     */
    public static OutputStream sealed(EntryStream entry, EntryCipher cipher, String name) {
        return cipher == null ? entry : cipher.encrypting(entry, name);
    }

    /** Writes {@code manifest.json} and {@code manifest.sig}, last, once every entry's size and sha256 are known. */
    public static void writeSignedManifest(ZipOutputStream zip, Manifest manifest, Signer signer) throws IOException {
        byte[] json = manifest.toJson();
        zip.putNextEntry(new ZipEntry(Manifest.FILE));
        zip.write(json);
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(Manifest.SIGNATURE));
        zip.write(signer.sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
        zip.closeEntry();
    }
}
