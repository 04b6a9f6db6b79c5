package io.poolpair.verify;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.state.ChangeLog;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.content.ContentStore;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Checksums of the rows one pool holds, in terms both databases agree on: every value is written by
 * {@link ValueCodec} (the codec of the batches), so an H2 and a PostgreSQL copy of a row hash alike. A row's hash
 * covers every column by lower-case name, and for a content table the sha256 of the row's file. Rows fall into
 * buckets by a hash of their key, not by key order: the two databases may sort text keys differently (collation),
 * but a key's bucket is the same everywhere. A bucket's summary is its row count and the sums of its rows' hashes,
 * so the order rows are read in does not matter and each table is read once, streamed, in one read-only transaction.
 */
public final class RowDigest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The most buckets a request may ask for (a billion-row table in buckets of 1,000). */
    static final int MAX_BUCKETS = 1_000_000;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Map<String, ContentStore> content;
    private final Map<String, Optional<String>> ownerColumns;

    /** {@code ownerColumns}: per module, its owner column if it names one. */
    public RowDigest(DataSource dataSource, Dialect dialect, Map<String, ContentStore> content,
                     Map<String, Optional<String>> ownerColumns) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.content = content;
        this.ownerColumns = ownerColumns;
    }

    /** A row's key, hash, and owner (null when the module names no owner column). */
    record RowHash(String key, long a, long b, String owner) {
        /** The first 16 bytes of the row's sha256 in hex (built only when a row is listed, not for every row summed). */
        String hash() {
            return HexFormat.of().toHexDigits(a) + HexFormat.of().toHexDigits(b);
        }

        VerifyMessage.Row toRow() {
            return new VerifyMessage.Row(key, hash(), owner);
        }
    }

    /** Per-bucket row counts and hash sums of a table. */
    record Summary(int buckets, long rows, long[] counts, long[] sumsA, long[] sumsB) {
        boolean sameBucket(int i, long count, long sumA, long sumB) {
            return counts[i] == count && sumsA[i] == sumA && sumsB[i] == sumB;
        }
    }

    private RowHasher hasher(TableInfo table) {
        String owner = ownerColumns.getOrDefault(table.module(), Optional.empty())
                .flatMap(o -> table.column(o)).map(Column::name).orElse(null);
        return new RowHasher(table, owner, content.get(table.name()));
    }

    /** The number of rows of a table. */
    long count(TableInfo table) throws SQLException {
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT COUNT(*) FROM " + dialect.qualified(table)); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Reads the whole table once and sums its rows' hashes into {@code buckets} buckets. */
    Summary summarize(TableInfo table, int buckets) throws SQLException {
        long[] counts = new long[buckets];
        long[] sumsA = new long[buckets];
        long[] sumsB = new long[buckets];
        long[] rows = {0};
        scan(table, row -> {
            int i = bucket(row.key(), buckets);
            counts[i]++;
            sumsA[i] += row.a();
            sumsB[i] += row.b();
            rows[0]++;
            return true;
        });
        return new Summary(buckets, rows[0], counts, sumsA, sumsB);
    }

    /**
     * The rows of a table in the given buckets, by key, at most {@code limit} of them; returns null when there were
     * more (the caller reports the table as too different to list).
     */
    Map<String, RowHash> rowsInBuckets(TableInfo table, int buckets, Set<Integer> which, int limit) throws SQLException {
        Map<String, RowHash> rows = new LinkedHashMap<>();
        boolean complete = scan(table, row -> {
            if (which.contains(bucket(row.key(), buckets))) {
                if (rows.size() >= limit) {
                    return false;
                }
                rows.put(row.key(), row);
            }
            return true;
        });
        return complete ? rows : null;
    }

    /** The rows of the given keys that this pool holds (a key it lacks is absent from the map). */
    Map<String, RowHash> rowsByKeys(TableInfo table, Collection<String> keys) throws SQLException, BatchRejectedException {
        Map<String, RowHash> rows = new LinkedHashMap<>();
        List<Column> pk = table.primaryKey();
        RowHasher hasher = hasher(table);
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement("SELECT "
                + dialect.columnList(table.columns()) + " FROM " + dialect.qualified(table) + " WHERE " + dialect.keyCondition(table))) {
            for (String key : keys) {
                JsonNode values = parseKey(key, pk);
                for (int i = 0; i < pk.size(); i++) {
                    try {
                        dialect.bind(ps, i + 1, values.get(i), pk.get(i));
                    } catch (IllegalArgumentException e) {
                        throw new BatchRejectedException("verification file: key " + abbreviate(key) + " does not fit table "
                                + table.name() + ": " + e.getMessage());
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        RowHash row = hasher.hash(rs);
                        rows.put(row.key(), row);
                    }
                }
            }
        }
        return rows;
    }

    /**
     * Keys of a table with a captured change here that the peer has not acknowledged (pending, or in a batch not yet
     * acknowledged): such a row may differ for now, and is reported in flight, never as different.
     */
    Set<String> inFlight(TableInfo table, Predicate<String> keep) throws SQLException {
        Set<String> keys = new java.util.HashSet<>();
        new ChangeLog(dataSource).forEachKeyOf(table.module(), table.name(), captured -> {
            String key;
            try {
                key = normalKey(MAPPER.readTree(captured), table.primaryKey());
            } catch (IOException | RuntimeException e) {
                return; // not a key of this table's shape: it cannot match one
            }
            if (keep.test(key)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** Streams every row of a table through {@code sink} until it returns false; true when all rows were read. */
    private boolean scan(TableInfo table, RowSink sink) throws SQLException {
        RowHasher hasher = hasher(table);
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            conn.setReadOnly(true);
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + dialect.columnList(table.columns()) + " FROM "
                    + dialect.qualified(table))) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!sink.accept(hasher.hash(rs))) {
                            return false;
                        }
                    }
                }
                return true;
            } finally {
                conn.rollback();
                conn.setReadOnly(false);
                conn.setAutoCommit(true);
            }
        }
    }

    private interface RowSink {
        boolean accept(RowHash row);
    }

    /** The bucket of a key: FNV-1a over its text, the same on every pool and database. */
    static int bucket(String key, int buckets) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        return (int) Math.floorMod(h ^ (h >>> 29), (long) buckets);
    }

    /**
     * A key in one form whatever wrote it (a row read here, a capture trigger of either database, the peer): each
     * value converted by the type of this pool's key column, then written as the capture trigger writes it.
     */
    static String normalKey(JsonNode values, List<Column> pk) {
        if (values == null || !values.isArray() || values.size() != pk.size()) {
            throw new IllegalArgumentException("a key of " + pk.size() + " value(s) was expected");
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = MAPPER.createGenerator(out)) {
            gen.writeStartArray();
            for (int i = 0; i < pk.size(); i++) {
                Object v = ValueCodec.toJdbc(values.get(i), pk.get(i));
                if (v instanceof OffsetDateTime t) {
                    v = t.withOffsetSameInstant(ZoneOffset.UTC).toString();
                } else if (v instanceof OffsetTime t) {
                    v = t.withOffsetSameInstant(ZoneOffset.UTC).toString();
                } else if (v instanceof java.math.BigDecimal d) {
                    v = d.stripTrailingZeros().toPlainString();
                }
                ValueCodec.writeObject(gen, v);
            }
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A key from a verification file, checked against the table's key columns. */
    static JsonNode parseKey(String key, List<Column> pk) throws BatchRejectedException {
        try {
            JsonNode node = MAPPER.readTree(key);
            normalKey(node, pk);
            return node;
        } catch (IOException | RuntimeException e) {
            throw new BatchRejectedException("verification file: " + abbreviate(key) + " is not a key of " + pk.size()
                    + " value(s): " + e.getMessage());
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
