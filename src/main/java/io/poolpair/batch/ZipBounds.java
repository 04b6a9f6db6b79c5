package io.poolpair.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a batch zip may cost before {@link java.util.zip.ZipFile} opens it. ZipFile reads the whole central directory
 * into memory, and sizes tables by the entry count the end record claims: a zip whose end record claims millions of
 * entries, or a few hundred MB of central directory, is an OutOfMemoryError (an Error: the routes' error handling does
 * not catch it, and the file would be read again at every poll). So the file's size, and the entry count and central
 * directory size of its end-of-central-directory record (and of its ZIP64 record, which ZipFile prefers), are checked
 * here first, by reading the file's last bytes only.
 *
 * <p>poolpair writes its zips with no archive comment, so a batch ends with its end record; ZipFile looks for that
 * record first at that place, so the record checked here is the one ZipFile uses. A zip with a comment or with bytes
 * after its end record is refused.
 */
public final class ZipBounds {

    /** What one central directory entry may take: its fixed header plus name, extra field and comment. */
    static final long DIRECTORY_BYTES_PER_ENTRY = 46 + 4096;

    private static final int END_SIG = 0x06054b50;
    private static final int END_LEN = 22;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_LOCATOR_LEN = 20;
    private static final int ZIP64_END_SIG = 0x06064b50;
    private static final int ZIP64_END_LEN = 56;

    private final long maxFileBytes;
    private final int maxEntries;

    public ZipBounds(long maxFileBytes, int maxEntries) {
        this.maxFileBytes = maxFileBytes;
        this.maxEntries = maxEntries;
    }

    /** The largest central directory a zip of at most {@code maxEntries} entries is allowed. */
    long maxDirectoryBytes() {
        return Math.multiplyExact(maxEntries, DIRECTORY_BYTES_PER_ENTRY);
    }

    /** Throws {@link BatchRejectedException} unless the file is small enough to open, by its size and its end record. */
    public void check(Path file) throws BatchRejectedException, IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            checkFileSize(size);
            Directory dir = endRecord(ch, size);
            checkDirectory(dir);
        }
    }

    void checkFileSize(long size) throws BatchRejectedException {
        if (size > maxFileBytes) {
            throw new BatchRejectedException("the file is " + size + " bytes, over poolpair.import.max-batch-bytes " + maxFileBytes);
        }
        if (size < END_LEN) {
            throw new BatchRejectedException("not a readable zip (truncated or corrupt): " + size
                    + " bytes, too short for an end-of-central-directory record");
        }
    }

    void checkDirectory(Directory dir) throws BatchRejectedException {
        if (dir.entries() < 0 || dir.entries() > maxEntries) {
            throw new BatchRejectedException("the zip's end record claims " + Long.toUnsignedString(dir.entries())
                    + " entries, over poolpair.import.max-entries " + maxEntries + " (checked before the zip is opened)");
        }
        if (dir.bytes() < 0 || dir.bytes() > maxDirectoryBytes()) {
            throw new BatchRejectedException("the zip's central directory is " + Long.toUnsignedString(dir.bytes())
                    + " bytes, over the " + maxDirectoryBytes() + " that poolpair.import.max-entries " + maxEntries
                    + " allows (checked before the zip is opened)");
        }
        if (dir.bytes() > dir.endAt()) {
            throw new BatchRejectedException("not a readable zip (truncated or corrupt): its central directory (" + dir.bytes()
                    + " bytes) would begin before the file does");
        }
    }

    /** The entry count and central directory size a zip's end record claims, and where that record begins. */
    record Directory(long entries, long bytes, long endAt) {
    }

    private static Directory endRecord(FileChannel ch, long size) throws IOException, BatchRejectedException {
        long endAt = size - END_LEN;
        ByteBuffer end = read(ch, endAt, END_LEN);
        if (end.getInt(0) != END_SIG || Short.toUnsignedInt(end.getShort(20)) != 0) {
            throw new BatchRejectedException("not a readable zip (truncated or corrupt): the file does not end"
                    + " with a zip's end-of-central-directory record (a zip with bytes appended or a comment is refused too)");
        }
        long entries = Short.toUnsignedLong(end.getShort(10));
        long bytes = Integer.toUnsignedLong(end.getInt(12));
        long offset = Integer.toUnsignedLong(end.getInt(16));
        // a ZIP64 end record, when its locator precedes the end record and it agrees with it, is what ZipFile uses
        if (endAt >= ZIP64_LOCATOR_LEN) {
            ByteBuffer locator = read(ch, endAt - ZIP64_LOCATOR_LEN, ZIP64_LOCATOR_LEN);
            if (locator.getInt(0) == ZIP64_LOCATOR_SIG) {
                long end64At = locator.getLong(8);
                if (end64At >= 0 && end64At <= size - ZIP64_END_LEN) {
                    ByteBuffer end64 = read(ch, end64At, ZIP64_END_LEN);
                    if (end64.getInt(0) == ZIP64_END_SIG) {
                        long entries64 = end64.getLong(32);
                        long bytes64 = end64.getLong(40);
                        long offset64 = end64.getLong(48);
                        boolean agrees = (bytes64 == bytes || bytes == 0xFFFFFFFFL) && (offset64 == offset || offset == 0xFFFFFFFFL)
                                && (entries64 == entries || entries == 0xFFFFL);
                        if (agrees) {
                            return new Directory(entries64, bytes64, end64At);
                        }
                    }
                } else if (end64At < 0 || end64At > size) {
                    throw new BatchRejectedException("not a readable zip (truncated or corrupt): its ZIP64 locator points outside the file");
                }
            }
        }
        return new Directory(entries, bytes, endAt);
    }

    private static ByteBuffer read(FileChannel ch, long at, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                throw new java.io.EOFException("the file ended while its end record was read");
            }
        }
        return buf.flip();
    }
}
