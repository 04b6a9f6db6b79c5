package io.poolpair.importer;

import io.poolpair.Headers;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.config.PrivateFiles;
import io.poolpair.share.ShareLayout;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Takes a batch out of the share before anything reads it: the file is copied (never through a link) into a folder
 * of this pool's own ({@code poolpair.import.private-dir}, 0700), and the verifier and the applier read that copy
 * only. Whoever can write into the share cannot swap the file between verification and apply. The share's file is
 * kept in the {@code PoolPairShareFile} header: it is what is removed once applied, or quarantined.
 */
public final class PrivateCopy {

    private final Path folder;
    private final long maxBytes;
    private final ShareLayout share;

    public PrivateCopy(Path folder, long maxBytes, ShareLayout share) {
        this.share = share;
        this.folder = folder;
        this.maxBytes = maxBytes;
    }

    public void take(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        File shared = msg.getBody(File.class);
        msg.setHeader(Headers.SHARE_FILE, shared);
        msg.setHeader(Headers.MODULE, share.moduleOf(msg.getHeader(Exchange.FILE_NAME, String.class)));
        Path source = shared.toPath();
        if (Files.isSymbolicLink(source) || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new BatchRejectedException("the file is a symbolic link or not a regular file; only regular files are accepted");
        }
        long size = Files.size(source);
        if (size > maxBytes) {
            throw new BatchRejectedException("the file is " + size + " bytes, over poolpair.import.max-batch-bytes");
        }
        PrivateFiles.createFolders(folder);
        Path copy = folder.resolve(shared.getName());
        Files.deleteIfExists(copy);
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                     LinkOption.NOFOLLOW_LINKS)) {
            // no more than the size limit, whatever the file grows to while it is copied
            in.transferTo(new BoundedOutput(out, maxBytes));
        } catch (BoundedOutput.TooLarge e) {
            Files.deleteIfExists(copy);
            throw new BatchRejectedException("the file grew past poolpair.import.max-batch-bytes while it was read");
        }
        msg.setBody(copy.toFile());
    }

    /** After the batch was applied or skipped: the share's file and the private copy go. */
    public void removeConsumed(Exchange exchange) throws IOException {
        File shared = exchange.getMessage().getHeader(Headers.SHARE_FILE, File.class);
        if (shared != null) {
            Files.deleteIfExists(shared.toPath());
        }
        discard(exchange);
    }

    /** Removes the private copy (a batch that waits, or one quarantined from the share). */
    public void discard(Exchange exchange) throws IOException {
        File body = exchange.getMessage().getBody(File.class);
        if (body != null && body.toPath().getParent() != null && body.toPath().getParent().equals(folder)) {
            Files.deleteIfExists(body.toPath());
        }
    }

    /** Passes bytes through up to a limit, then fails. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private final long limit;
        private long written;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > limit) {
                throw new TooLarge();
            }
            out.write(b, off, len);
        }

        static final class TooLarge extends IOException {
        }
    }
}
