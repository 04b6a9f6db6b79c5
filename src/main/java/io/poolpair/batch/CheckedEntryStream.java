package io.poolpair.batch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * The stored bytes of one zip entry, held to what the signed manifest declares: reading past the declared
 * size fails at once (a zip bomb is never inflated further), and {@link #verify} compares size and sha256
 * once the entry has been read through.
 */
public final class CheckedEntryStream extends FilterInputStream {

    private final Manifest.Entry entry;
    private final MessageDigest digest = Sha256.digest();
    private long size;
    private boolean tooLarge;

    public CheckedEntryStream(InputStream stored, Manifest.Entry entry) {
        super(stored);
        this.entry = entry;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            size += n;
            if (size > entry.size()) {
                tooLarge = true;
                throw new IOException(tooLargeMessage());
            }
            digest.update(b, off, n);
        }
        return n;
    }

    /** Reads whatever the consumer left, so the digest covers the whole entry. */
    public void drain() throws IOException {
        transferTo(OutputStream.nullOutputStream());
    }

    public void verify() throws BatchRejectedException {
        if (tooLarge) {
            throw new BatchRejectedException(tooLargeMessage());
        }
        if (size != entry.size() || !Sha256.hex(digest).equalsIgnoreCase(entry.sha256())) {
            throw new BatchRejectedException(entry.name() + " does not match the size and sha256 in the manifest");
        }
    }

    public boolean tooLarge() {
        return tooLarge;
    }

    private String tooLargeMessage() {
        return entry.name() + " decompresses to more than the " + entry.size() + " bytes the manifest declares";
    }
}
