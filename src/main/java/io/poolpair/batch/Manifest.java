package io.poolpair.batch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a batch: who sent it to whom, which module and batch, and the size and sha256 of
 * every data entry. Signed as a whole ({@code manifest.sig}), so it authenticates the entries too. While a failover is in effect,
 * a delta carries the time of each key's latest write (by table, then key as a compact JSON array, as an ISO instant)
 * for the split-brain policy (newest write kept) in the entry {@value Entry#KEY_TIMES_NAME}, checked (and encrypted)
 * like any entry, so that the manifest stays small whatever the number of keys. {@code keyTimes} is that map once
 * the receiver has read the entry; a sender never writes it into the manifest.
 *
 * <p>{@code incarnation} is the sender's store incarnation: batch numbers run per (source pool, incarnation).
 * A {@code restore} snapshot (sent to a peer that was rebuilt or restored from an older backup) carries every row
 * the sender holds; {@code baseline} is its first batch, which supersedes every batch before it, and
 * {@code snapshotRows} the rows of all its parts, for progress.
 *
 * <p>Made with {@link #builder}; the field names and order of this record are the JSON on disk ({@code docs/format.md},
 * checked against its JSON Schema by {@code FormatSchemaTest}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String sourcePool, String targetPool, String module, long batch, Kind kind,
                       int part, int parts, long changeIdFrom, long changeIdTo, long changes, String createdAt,
                       Map<String, TableCounts> tables, List<Entry> entries, String encryption,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, String>> keyTimes,
                       String incarnation,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long baseline,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long snapshotRows) {

    public static final int FORMAT = 2;

    /** What a batch carries; its JSON value is the lower-case name ({@code "delta"}, {@code "full"}, {@code "restore"}). */
    public enum Kind {
        /** The changes of one batch. */
        DELTA("delta"),
        /** Part of a full sync: every row the sender owns. */
        FULL("full"),
        /** Part of a restore snapshot: every row the sender holds, for a rebuilt peer. */
        RESTORE("restore");

        private final String json;

        Kind(String json) {
            this.json = json;
        }

        @JsonValue
        public String json() {
            return json;
        }

        /** The kind named {@code json} in a manifest; any other value is refused, naming it. */
        @JsonCreator
        public static Kind of(String json) {
            for (Kind k : values()) {
                if (k.json.equals(json)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("manifest kind '" + json + "' is not supported (delta, full or restore)");
        }

        /** A full sync or restore part: the receiver replaces its copy with the parts. */
        public boolean snapshot() {
            return this != DELTA;
        }

        @Override
        public String toString() {
            return json;
        }
    }

    /** A full sync or restore part: the receiver replaces its copy with the parts. */
    public boolean snapshot() {
        return kind != null && kind.snapshot();
    }

    public boolean restore() {
        return kind == Kind.RESTORE;
    }

    /** The batch of the first part of a snapshot (its parts are numbered in a row). */
    public long firstPart() {
        return batch - part + 1;
    }
    public static final String FILE = "manifest.json";
    public static final String SIGNATURE = "manifest.sig";

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    /** Rows per table: upserts and deletes. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TableCounts(long upserts, long deletes) {
    }

    /** One data entry: {@code data/<table>.upsert.ndjson} or {@code data/<table>.delete.ndjson}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Entry(String name, String table, String op, long size, String sha256) {
        public static final String UPSERT = "upsert";
        public static final String DELETE = "delete";
        /** A file of a content table's row, {@code content/<table>/<key path>}. */
        public static final String CONTENT = "content";
        /** The key times of a delta made while a failover is in effect (JSON object: table, then key, then instant). */
        public static final String KEY_TIMES = "key-times";
        public static final String KEY_TIMES_NAME = "failover/key-times.json";

        public static String nameFor(String table, String op) {
            return "data/" + table + "." + op + ".ndjson";
        }
    }

    /** This manifest with the key times read from its {@value Entry#KEY_TIMES_NAME} entry (in memory only). */
    public Manifest withKeyTimes(Map<String, Map<String, String>> times) {
        return toBuilder().keyTimes(times).build();
    }

    /** This snapshot part's manifest with {@code count} parts in all. */
    public Manifest withParts(int count) {
        return toBuilder().part(part, count).build();
    }

    /**
     * A manifest of this format version from {@code sourcePool} to {@code targetPool}: batch {@code batch} of
     * {@code module}, part 1 of 1, created now, unencrypted, until the builder says otherwise.
     */
    public static Builder builder(Kind kind, String sourcePool, String targetPool, String module, long batch) {
        Builder b = new Builder();
        b.kind = kind;
        b.sourcePool = sourcePool;
        b.targetPool = targetPool;
        b.module = module;
        b.batch = batch;
        return b;
    }

    private Builder toBuilder() {
        Builder b = builder(kind, sourcePool, targetPool, module, batch).part(part, parts).changeIds(changeIdFrom, changeIdTo)
                .changes(changes).createdAt(createdAt).tables(tables).entries(entries).encryption(encryption)
                .keyTimes(keyTimes).incarnation(incarnation).baseline(baseline).snapshotRows(snapshotRows);
        b.format = format;
        return b;
    }

    /** Builds a {@link Manifest}: the kind, pools, module and batch are given up front, the rest is named. */
    public static final class Builder {
        private int format = FORMAT;
        private String sourcePool;
        private String targetPool;
        private String module;
        private long batch;
        private Kind kind;
        private int part = 1;
        private int parts = 1;
        private long changeIdFrom;
        private long changeIdTo;
        private long changes;
        private String createdAt = java.time.Instant.now().toString();
        private Map<String, TableCounts> tables = Map.of();
        private List<Entry> entries = List.of();
        private String encryption;
        private Map<String, Map<String, String>> keyTimes;
        private String incarnation;
        private Long baseline;
        private Long snapshotRows;

        private Builder() {
        }

        /** Part {@code part} of {@code parts} (a delta is part 1 of 1). */
        public Builder part(int part, int parts) {
            this.part = part;
            this.parts = parts;
            return this;
        }

        /** The range of captured change ids a delta carries (0, 0 for a snapshot part). */
        public Builder changeIds(long from, long to) {
            this.changeIdFrom = from;
            this.changeIdTo = to;
            return this;
        }

        /** The changes a delta coalesces, or the rows a snapshot part carries. */
        public Builder changes(long changes) {
            this.changes = changes;
            return this;
        }

        public Builder createdAt(String createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder tables(Map<String, TableCounts> tables) {
            this.tables = tables;
            return this;
        }

        public Builder entries(List<Entry> entries) {
            this.entries = entries;
            return this;
        }

        /** The entries' cipher ({@link EntryCipher#ALGORITHM}), or null when they are stored in plain. */
        public Builder encryption(String encryption) {
            this.encryption = encryption;
            return this;
        }

        /** In memory only: the key times read from the entry (a sender never writes them into the manifest). */
        public Builder keyTimes(Map<String, Map<String, String>> keyTimes) {
            this.keyTimes = keyTimes;
            return this;
        }

        public Builder incarnation(String incarnation) {
            this.incarnation = incarnation;
            return this;
        }

        /** A restore's first batch, which supersedes every batch before it. */
        public Builder baseline(Long baseline) {
            this.baseline = baseline;
            return this;
        }

        /** A restore's rows in all its parts. */
        public Builder snapshotRows(Long snapshotRows) {
            this.snapshotRows = snapshotRows;
            return this;
        }

        public Manifest build() {
            return new Manifest(format, sourcePool, targetPool, module, batch, kind, part, parts, changeIdFrom, changeIdTo,
                    changes, createdAt, tables, entries, encryption, keyTimes, incarnation, baseline, snapshotRows);
        }
    }

    /** The key times entry of a delta, if it has one. */
    public java.util.Optional<Entry> keyTimesEntry() {
        return entries == null ? java.util.Optional.empty()
                : entries.stream().filter(e -> Entry.KEY_TIMES.equals(e.op())).findFirst();
    }

    public byte[] toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, Manifest.class);
    }
}
