package io.poolpair.verify;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One verification file: a request from the pool that runs {@code verify} (round 1: its bucket summaries of every
 * table; round 2: the keys that differed, to be checked again), or the peer's response (round 1: the buckets that
 * differ and its rows in them; round 2: its rows of the keys asked for), each with the keys that were in flight on
 * the answering pool (a captured change not yet acknowledged). Keys are JSON arrays of the primary key values as
 * {@link RowDigest#normalKey} writes them; hashes are 32 hex digits.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyMessage(int format, String kind, String id, int round, String fromPool, String toPool, String module,
                            String createdAt, List<TableMessage> tables) {

    public static final int FORMAT = 1;
    public static final String REQUEST = "request";
    public static final String RESPONSE = "response";

    /** One table of a request or response; fields unused by a kind/round are null. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TableMessage(String table, Integer buckets, long[] counts, long[] sumsA, long[] sumsB,
                               List<String> keys, Long rowCount, List<Integer> differingBuckets, List<Row> rows,
                               Boolean truncated, List<String> inFlight) {
    }

    /** A row as one pool holds it: key, hash of every column (and the file of a content row), owning pool. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Row(String key, String hash, String owner) {
    }
}
