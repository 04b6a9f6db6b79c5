package io.poolpair.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String sourcePool, String targetPool, String module, long batch, String kind,
                       int part, int parts, long changeIdFrom, long changeIdTo, long changes, String createdAt,
                       Map<String, TableCounts> tables, List<Entry> entries, String encryption,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, String>> keyTimes,
                       String incarnation,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long baseline,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long snapshotRows) {

    public static final int FORMAT = 2;
    /** The changes of one batch. */
    public static final String DELTA = "delta";
    /** Part of a full sync: every row the sender owns. */
    public static final String FULL = "full";
    /** Part of a restore snapshot: every row the sender holds, for a rebuilt peer. */
    public static final String RESTORE = "restore";

    /** A full sync or restore part: the receiver replaces its copy with the parts. */
    public boolean snapshot() {
        return FULL.equals(kind) || RESTORE.equals(kind);
    }

    public boolean restore() {
        return RESTORE.equals(kind);
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
        return new Manifest(format, sourcePool, targetPool, module, batch, kind, part, parts, changeIdFrom, changeIdTo, changes,
                createdAt, tables, entries, encryption, times, incarnation, baseline, snapshotRows);
    }

    /** This snapshot part's manifest with {@code count} parts in all. */
    public Manifest withParts(int count) {
        return new Manifest(format, sourcePool, targetPool, module, batch, kind, part, count, changeIdFrom, changeIdTo, changes,
                createdAt, tables, entries, encryption, keyTimes, incarnation, baseline, snapshotRows);
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
