package io.poolpair.batch;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a batch zip the way the importer's verifier and applier both do: its signed manifest first, then each entry
 * the manifest lists, held to its declared size and sha256 while it is read ({@link CheckedEntryStream}: reading past
 * the declared size fails at once) and decrypted when the manifest says the batch is encrypted. The zip is opened (and
 * closed) by the caller, after {@link ZipBounds} said it may be.
 */
public final class BatchReader {

    private final ZipFile zip;
    private final BatchFile.Signed signed;
    private final EntryCipher cipher;

    private BatchReader(ZipFile zip, BatchFile.Signed signed, EntryCipher cipher) {
        this.zip = zip;
        this.signed = signed;
        this.cipher = cipher;
    }

    /** The batch in {@code zip}, once its manifest's signature holds under the pair's key. */
    public static BatchReader open(ZipFile zip, Signer signer, EntryCipher cipher) throws BatchRejectedException {
        return new BatchReader(zip, BatchFile.readSigned(zip, signer), cipher);
    }

    public BatchFile.Signed signed() {
        return signed;
    }

    public Manifest manifest() {
        return signed.manifest();
    }

    /** The zip entry a manifest entry names; refused when the zip does not hold it. */
    public ZipEntry zipEntry(Manifest.Entry entry) throws BatchRejectedException {
        ZipEntry zipEntry = zip.getEntry(entry.name());
        if (zipEntry == null) {
            throw new BatchRejectedException("the zip no longer holds " + entry.name());
        }
        return zipEntry;
    }

    /** The stored bytes of an entry, held to its declared size and sha256 ({@link CheckedEntryStream#verify}). */
    public CheckedEntryStream stored(Manifest.Entry entry) throws BatchRejectedException, IOException {
        return new CheckedEntryStream(zip.getInputStream(zipEntry(entry)), entry);
    }

    /** An entry's plain bytes: decrypted and authenticated when the manifest says the batch is encrypted. */
    public InputStream plain(CheckedEntryStream stored, Manifest.Entry entry) throws IOException {
        return manifest().encryption() == null ? stored : cipher.decrypting(stored, entry.name());
    }

    /**
     * Reads an entry's stored bytes through and holds them to the manifest's size and sha256, without parsing any of
     * it. An I/O failure other than the entry growing past its declared size is thrown as it is (the share may have
     * failed to deliver bytes).
     */
    public void checkStored(Manifest.Entry entry) throws BatchRejectedException, IOException {
        CheckedEntryStream stored = stored(entry);
        try (stored) {
            stored.drain();
        } catch (IOException e) {
            if (!stored.tooLarge()) {
                throw e;
            }
        }
        stored.verify();
    }

    /** What is done with an entry's plain bytes. */
    public interface EntryReader<T, X extends Exception> {
        T read(InputStream plain) throws X, IOException, BatchRejectedException;
    }

    /**
     * Reads an entry's plain bytes with {@code reader}, then the rest of its stored bytes, and holds them to the
     * manifest's size and sha256: an entry changed since it was verified is refused once it has been read, so nothing
     * done with it may be kept before this returns. Bytes that cannot be read are refused, naming the entry.
     */
    public <T, X extends Exception> T read(Manifest.Entry entry, EntryReader<T, X> reader)
            throws X, BatchRejectedException, IOException {
        CheckedEntryStream stored = stored(entry);
        T result;
        try (InputStream in = plain(stored, entry)) {
            // the reader may close what it is given (a JSON parser does): the rest is still read through below
            result = reader.read(new java.io.FilterInputStream(in) {
                @Override
                public void close() {
                }
            });
            stored.drain();
        } catch (BatchRejectedException e) {
            if (stored.tooLarge()) {
                stored.verify();
            }
            throw e;
        } catch (IOException e) {
            if (stored.tooLarge()) {
                stored.verify();
            }
            throw new BatchRejectedException(entry.name() + " cannot be read: " + e.getMessage(), e);
        }
        stored.verify();
        return result;
    }
}
