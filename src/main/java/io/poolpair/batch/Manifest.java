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
 * {@code keyTimes} holds the time of each key's latest write (by table, then key as a compact JSON array, as an
 * ISO instant) for the split-brain policy (newest write kept); otherwise it is absent.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String sourcePool, String targetPool, String module, long batch, String kind,
                       int part, int parts, long changeIdFrom, long changeIdTo, long changes, String createdAt,
                       Map<String, TableCounts> tables, List<Entry> entries, String encryption,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Map<String, String>> keyTimes) {

    public static final int FORMAT = 1;
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

        public static String nameFor(String table, String op) {
            return "data/" + table + "." + op + ".ndjson";
        }
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
