package io.poolpair.batch;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.zip.ZipOutputStream;

/** What goes into one zip entry, counted and hashed for the manifest; closing it leaves the zip open. */
final class EntryStream extends FilterOutputStream {

    final ZipOutputStream zip;
    private final MessageDigest digest;
    private long size;

    EntryStream(ZipOutputStream zip) {
        super(zip);
        this.zip = zip;
        this.digest = Sha256.digest();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        size += len;
    }

    @Override
    public void close() throws IOException {
        flush();
    }

    long size() {
        return size;
    }

    String sha256() {
        return Sha256.hex(digest);
    }
}
