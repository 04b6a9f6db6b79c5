package io.poolpair.content;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.ContentEntries;
import io.poolpair.store.Column;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;

/**
 * Files that belong to the rows of a content table (conference content): the file of a row lies at
 * {@code <content-dir>/<key 1>/<key 2>/...}, its primary key values as path segments. In a batch it travels
 * as the entry {@code content/<table>/<key 1>/<key 2>/...}.
 */
public final class ContentStore {

    private final Path root;
    private final TableInfo table;
    private final Optional<Column> sizeColumn;

    public ContentStore(Path root, TableInfo table) {
        this(root, table, Optional.empty());
    }

    /** {@code sizeColumn}: the table's column holding each file's size, so a file still being written is told apart. */
    public ContentStore(Path root, TableInfo table, Optional<Column> sizeColumn) {
        this.root = root.toAbsolutePath().normalize();
        this.table = table;
        this.sizeColumn = sizeColumn;
    }

    public Optional<Column> sizeColumn() {
        return sizeColumn;
    }

    /**
     * Why the file of a row cannot travel yet, or null when it is complete: it is missing, or smaller than the
     * {@code expectedSize} its row records (still being written).
     */
    public static String incomplete(Path file, Long expectedSize) throws IOException {
        if (!Files.isRegularFile(file)) {
            return "missing";
        }
        long size = Files.size(file);
        if (expectedSize != null && size != expectedSize) {
            return "holds " + size + " of the " + expectedSize + " bytes its row records";
        }
        return null;
    }

    public TableInfo table() {
        return table;
    }

    /**
     * The file of a row, relative to the content folder, from its key values as a batch carries them (a JSON array in
     * primary key order, written by the value codec): the one content-key builder of deltas, snapshots and
     * verification, so a row's file has one name whichever reads it.
     */
    public String relativePathOfKey(JsonNode keyValues) throws BatchRejectedException {
        List<Column> pk = table.primaryKey();
        com.fasterxml.jackson.databind.node.ObjectNode keyObject = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        for (int i = 0; i < pk.size(); i++) {
            keyObject.set(pk.get(i).name(), keyValues.get(i));
        }
        return relativePath(keyObject);
    }

    /** The file's path relative to the content folder, from a row or key object (column name → value). */
    public String relativePath(JsonNode keyOrRow) throws BatchRejectedException {
        List<String> segments = new ArrayList<>();
        for (Column c : table.primaryKey()) {
            JsonNode v = ValueCodec.field(keyOrRow, c.name());
            String segment = v == null || v.isNull() ? "" : v.asText();
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.contains("/")
                    || segment.contains("\\") || segment.indexOf('\0') >= 0) {
                throw new BatchRejectedException("content key '" + segment + "' of table " + table.name()
                        + " cannot name a file");
            }
            segments.add(segment);
        }
        return String.join("/", segments);
    }

    /** The file's relative path from its entry name {@code content/<table>/<path>}, refused if unsafe. */
    public String relativePathOfEntry(String entryName) throws BatchRejectedException {
        String prefix = entryPrefix(table.name());
        String relative = entryName.startsWith(prefix) ? entryName.substring(prefix.length()) : "";
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                throw new BatchRejectedException("unsafe content path " + entryName);
            }
        }
        return relative;
    }

    public Path file(String relativePath) {
        Path file = root.resolve(relativePath).normalize();
        if (!file.startsWith(root)) {
            throw new IllegalArgumentException("content path " + relativePath + " leaves the content folder");
        }
        return file;
    }

    public String entryName(String relativePath) {
        return ContentEntries.entryName(table.name(), relativePath);
    }

    static final int MAX_SEALED_PATH_BYTES = ContentEntries.MAX_SEALED_PATH_BYTES;

    /**
     * The name of the {@code index}-th entry of a batch when entries are encrypted: {@code content/<table>/<index>}, so
     * that no key value stands in plain text in the zip or the manifest. The file's path then travels inside the
     * encrypted entry ({@link #writeSealedPath}).
     */
    public String sealedEntryName(int index) {
        return ContentEntries.sealedEntryName(table.name(), index);
    }

    /** Writes the header of a sealed content entry: the file's relative path (2-byte length, UTF-8), before its bytes. */
    public static void writeSealedPath(java.io.OutputStream plain, String relativePath) throws java.io.IOException {
        ContentEntries.writeSealedPath(plain, relativePath);
    }

    /** Reads the header of a sealed content entry (its decrypted bytes): the file's relative path, refused if unsafe. */
    public String readSealedPath(java.io.InputStream plain, String entryName) throws BatchRejectedException, java.io.IOException {
        int hi = plain.read();
        int lo = plain.read();
        if (hi < 0 || lo < 0) {
            throw new BatchRejectedException(entryName + " ends before the path of its file");
        }
        int length = hi << 8 | lo;
        if (length == 0 || length > MAX_SEALED_PATH_BYTES) {
            throw new BatchRejectedException(entryName + " names a path of " + length + " bytes");
        }
        byte[] path = plain.readNBytes(length);
        if (path.length != length) {
            throw new BatchRejectedException(entryName + " ends within the path of its file");
        }
        String relative = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(path)).toString();
        if (relative.contains("\\") || relative.indexOf('\0') >= 0) {
            throw new BatchRejectedException("unsafe content path in " + entryName);
        }
        return relativePathOfEntry(entryPrefix(table.name()) + relative);
    }

    public static String entryPrefix(String tableName) {
        return ContentEntries.entryPrefix(tableName);
    }
}
