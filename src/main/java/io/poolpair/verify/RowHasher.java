package io.poolpair.verify;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.content.ContentStore;
import io.poolpair.store.Column;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Hashes the rows of one table read as {@code SELECT <every column>}: a row's key in normal form and the first 16
 * bytes of the sha256 of its key, its columns by lower-case name and, for a content table, its file's sha256. One
 * instance per scan: it reuses one buffer, generator and digest for every row.
 */
final class RowHasher {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TableInfo table;
    private final List<Column> columns;
    private final int[] order;
    private final String[] names;
    private final int[] keyIndexes;
    private final int ownerIndex;
    private final boolean simpleKey;
    private final ContentStore store;
    private final MessageDigest sha;
    private final Buffer buffer = new Buffer();
    /** One generator for every row (values separated by nothing), flushed into {@link #buffer} after each. */
    private final JsonGenerator gen;

    /** {@code ownerColumn}: the module's owner column, or null; {@code store}: the table's files, or null. */
    RowHasher(TableInfo table, String ownerColumn, ContentStore store) {
        this.table = table;
        this.columns = table.columns();
        List<Integer> sorted = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            sorted.add(i);
        }
        sorted.sort(Comparator.comparing(i -> columns.get(i).name().toLowerCase(Locale.ROOT)));
        this.order = sorted.stream().mapToInt(Integer::intValue).toArray();
        this.names = columns.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        this.keyIndexes = table.primaryKey().stream().mapToInt(columns::indexOf).toArray();
        this.simpleKey = table.primaryKey().stream().allMatch(RowHasher::simple);
        this.ownerIndex = ownerColumn == null ? -1 : indexOf(ownerColumn);
        this.store = store;
        try {
            this.gen = MAPPER.createGenerator(buffer);
            gen.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    RowDigest.RowHash hash(ResultSet rs) throws SQLException {
        try {
            buffer.reset();
            gen.writeStartArray();
            for (int i : keyIndexes) {
                ValueCodec.write(gen, rs, i + 1, columns.get(i));
            }
            gen.writeEndArray();
            gen.flush();
            sha.reset();
            // text and whole-number keys are already in normal form as the codec writes them; others are normalized
            String key;
            // a content row's file is named from its key as the codec writes it, as batches name it
            JsonNode codecKey = store == null ? null : MAPPER.readTree(buffer.toByteArray());
            if (simpleKey) {
                key = buffer.toString(StandardCharsets.UTF_8);
                buffer.digestInto(sha);
            } else {
                key = RowDigest.normalKey(MAPPER.readTree(buffer.toByteArray()), table.primaryKey());
                sha.update(key.getBytes(StandardCharsets.UTF_8));
            }
            sha.update((byte) '\n');
            buffer.reset();
            gen.writeStartObject();
            for (int i : order) {
                gen.writeFieldName(names[i]);
                ValueCodec.write(gen, rs, i + 1, columns.get(i));
            }
            gen.writeEndObject();
            gen.flush();
            buffer.digestInto(sha);
            if (store != null) {
                sha.update(("\nfile:" + fileDigest(codecKey)).getBytes(StandardCharsets.UTF_8));
            }
            byte[] digest = sha.digest();
            ByteBuffer bytes = ByteBuffer.wrap(digest);
            long a = bytes.getLong();
            long b = bytes.getLong();
            return new RowDigest.RowHash(key, a, b, ownerIndex < 0 ? null : rs.getString(ownerIndex + 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sha256 of the row's file, "none" when it has none, "unnamed" when its key cannot name a file. */
    private String fileDigest(JsonNode codecKey) throws IOException {
        String relative;
        try {
            relative = store.relativePathOfKey(codecKey);
        } catch (BatchRejectedException e) {
            return "unnamed";
        }
        Path file = store.file(relative);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "none";
        }
        MessageDigest fileSha;
        try {
            fileSha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = in.read(chunk)) > 0) {
                fileSha.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(fileSha.digest());
    }

    /** A column whose codec value is already in normal form: text (not json/uuid) or a whole number. */
    private static boolean simple(Column c) {
        if (ValueCodec.isJson(c) || ValueCodec.isUuid(c)) {
            return false;
        }
        return switch (c.jdbcType()) {
            case java.sql.Types.CHAR, java.sql.Types.VARCHAR, java.sql.Types.LONGVARCHAR, java.sql.Types.NCHAR,
                 java.sql.Types.NVARCHAR, java.sql.Types.TINYINT, java.sql.Types.SMALLINT, java.sql.Types.INTEGER,
                 java.sql.Types.BIGINT -> true;
            default -> false;
        };
    }

    /** A byte buffer whose content goes into a digest without being copied first. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(256);
        }

        void digestInto(MessageDigest digest) {
            digest.update(buf, 0, count);
        }
    }
}
