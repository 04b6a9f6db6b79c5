package io.poolpair.exporter;

import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.content.ContentStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Entries every batch zip ends with or may carry: content files, then the manifest and its signature. */
final class BatchZip {

    private BatchZip() {
    }

    /** Streams a content file into the zip as {@code content/<table>/<path>} and lists it for the manifest. */
    static void writeContent(ZipOutputStream zip, List<Manifest.Entry> entries, ContentStore store, String relative)
            throws IOException {
        String name = store.entryName(relative);
        zip.putNextEntry(new ZipEntry(name));
        EntryStream out = new EntryStream(zip);
        Files.copy(store.file(relative), out);
        zip.closeEntry();
        entries.add(new Manifest.Entry(name, store.table().name(), Manifest.Entry.CONTENT, out.size(), out.sha256()));
    }

    /** Writes {@code manifest.json} and {@code manifest.sig}, last, once every entry's size and sha256 are known. */
    static void writeSignedManifest(ZipOutputStream zip, Manifest manifest, Signer signer) throws IOException {
        byte[] json = manifest.toJson();
        zip.putNextEntry(new ZipEntry(Manifest.FILE));
        zip.write(json);
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(Manifest.SIGNATURE));
        zip.write(signer.sign(json).getBytes(StandardCharsets.US_ASCII));
        zip.closeEntry();
    }
}
