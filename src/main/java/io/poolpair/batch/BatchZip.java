package io.poolpair.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Writes one batch zip, deltas and snapshot parts alike: NDJSON entries streamed through a {@link JsonGenerator}, content
 * files, then {@code manifest.json} and {@code manifest.sig} last, once every entry's size and sha256 are known. Each
 * entry is counted and hashed as it is stored ({@link EntryStream}) and, when batches are encrypted, sealed by the
 * {@link EntryCipher} on its way in; the manifest lists the stored bytes.
 *
 * <p>{@link ZipOutputStream} rather than camel-zipfile: rows stream straight from a result set into the entry while
 * its size and sha256 are computed, and the manifest that lists them is signed and written last.
 */
public final class BatchZip implements Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The deflate level of every entry: {@link Deflater#BEST_SPEED}. On NDJSON rows it stores a few per cent more bytes
     * than the default level 6 in well under half the time (measured in docs/performance.md); readers do not depend on
     * the level, so batches written at any level read alike.
     */
    public static final int LEVEL = Deflater.BEST_SPEED;

    private final ZipOutputStream zip;
    private final EntryCipher cipher;
    private final List<Manifest.Entry> entries = new ArrayList<>();
    private boolean closed;

    private BatchZip(ZipOutputStream zip, EntryCipher cipher) {
        this.zip = zip;
        this.cipher = cipher;
    }

    /** A new batch zip at {@code file}; {@code cipher} seals every entry, or null for plain entries. */
    public static BatchZip create(Path file, EntryCipher cipher) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        zip.setLevel(LEVEL);
        return new BatchZip(zip, cipher);
    }

    /** The entries written so far, in order, as the manifest lists them. */
    public List<Manifest.Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** The stored bytes of the entries written so far. */
    public long storedBytes() {
        return entries.stream().mapToLong(Manifest.Entry::size).sum();
    }

    /**
     * Opens an entry of newline-delimited JSON ({@code data/<table>.<op>.ndjson}, or the key times); rows go through
     * {@link RowsEntry#gen()}, one object and a newline each. Close it before the next entry.
     */
    public RowsEntry rows(String name, String table, String op) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        return new RowsEntry(name, table, op, new EntryStream(zip));
    }

    /**
     * Streams a content file into the zip as {@code content/<table>/<path>} and lists it for the manifest. When entries
     * are encrypted, the path (the row's key values) is not in the name: the entry is {@code content/<table>/<n>} and
     * the path goes inside it, encrypted, before the file's bytes ({@link ContentEntries}).
     */
    public void content(String table, String relative, Path file) throws IOException {
        String name = cipher == null ? ContentEntries.entryName(table, relative)
                : ContentEntries.sealedEntryName(table, entries.size() + 1);
        zip.putNextEntry(new ZipEntry(name));
        EntryStream out = new EntryStream(zip);
        try (OutputStream target = sealed(out, name)) {
            if (cipher != null) {
                ContentEntries.writeSealedPath(target, relative);
            }
            Files.copy(file, target);
        }
        zip.closeEntry();
        entries.add(new Manifest.Entry(name, table, Manifest.Entry.CONTENT, out.size(), out.sha256()));
    }

    /** Writes the signed manifest (its entries are {@link #entries()}) and closes the zip. */
    public void finish(Manifest manifest, Signer signer) throws IOException {
        writeSignedManifest(zip, manifest, signer);
        close();
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            zip.close();
        }
    }

    /**
     * Where an entry's bytes go: straight into the entry, or through the cipher when batches are encrypted.
     * Sizes and sha256 in the manifest are those of the bytes in the zip.
     */
    private OutputStream sealed(EntryStream entry, String name) {
        return cipher == null ? entry : cipher.encrypting(entry, name);
    }

    /** One NDJSON entry being written. */
    public final class RowsEntry {
        private final String name;
        private final String table;
        private final String op;
        private final EntryStream stored;
        private final Counting plain;
        private final JsonGenerator gen;

        private RowsEntry(String name, String table, String op, EntryStream stored) throws IOException {
            this.name = name;
            this.table = table;
            this.op = op;
            this.stored = stored;
            this.plain = new Counting(sealed(stored, name));
            this.gen = JSON.createGenerator(plain);
            gen.setRootValueSeparator(null);
        }

        /** Where the entry's JSON goes (its codec writes trees and values). */
        public JsonGenerator gen() {
            return gen;
        }

        /** The plain bytes the generator has handed on so far (before the cipher and the deflater). */
        public long plainBytes() {
            return plain.count;
        }

        /** The bytes stored so far (what the cipher has passed on). */
        public long storedBytes() {
            return stored.size();
        }

        /** Ends the entry and lists it for the manifest. */
        public Manifest.Entry close() throws IOException {
            gen.close();
            zip.closeEntry();
            Manifest.Entry entry = new Manifest.Entry(name, table, op, stored.size(), stored.sha256());
            entries.add(entry);
            return entry;
        }
    }

    /** Counts the plain bytes of the entry being written (what the generator has handed on so far). */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /**
     * Writes the manifest of {@code zip} again, changed by {@code change} (e.g. the number of parts of a snapshot),
     * and signs it; its entries are copied as they are (their sizes and sha256 do not change). Written beside the zip
     * under {@code suffix}, then moved over it.
     */
    public static void rewriteManifest(Path file, UnaryOperator<Manifest> change, Signer signer, String suffix)
            throws IOException {
        Path rewritten = file.resolveSibling(file.getFileName() + suffix);
        try (ZipFile in = new ZipFile(file.toFile());
             ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(rewritten), 1 << 16))) {
            out.setLevel(LEVEL);
            Manifest manifest;
            try (var json = in.getInputStream(in.getEntry(Manifest.FILE))) {
                manifest = Manifest.fromJson(json.readAllBytes());
            }
            for (var e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().equals(Manifest.FILE) || entry.getName().equals(Manifest.SIGNATURE)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (var data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            writeSignedManifest(out, change.apply(manifest), signer);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(rewritten);
            throw e;
        }
        Files.move(rewritten, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code manifest.json} and {@code manifest.sig}, last, once every entry's size and sha256 are known. */
    private static void writeSignedManifest(ZipOutputStream zip, Manifest manifest, Signer signer) throws IOException {
        byte[] json = manifest.toJson();
        zip.putNextEntry(new ZipEntry(Manifest.FILE));
        zip.write(json);
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(Manifest.SIGNATURE));
        zip.write(signer.sign(Signer.Kind.BATCH_MANIFEST, json).getBytes(StandardCharsets.US_ASCII));
        zip.closeEntry();
    }
}
