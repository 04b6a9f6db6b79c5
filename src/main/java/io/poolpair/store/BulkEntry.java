package io.poolpair.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.util.List;

/**
 * The rows of one entry (one table, one operation) written in bulk, in the caller's transaction: rows are collected
 * as offered and written by {@link #finish}, after which the entry's remaining rows, if any, go through the caller's
 * prepared statements (so rows keep their order). A row this form cannot carry exactly is refused, not altered.
 */
public interface BulkEntry {

    /**
     * Takes one row ({@code values[i]} for {@code columns[i]}); false when this entry cannot carry it (another column
     * set than the first row's, or a value it cannot encode exactly): the caller then calls {@link #finish} and
     * applies this row and the rest of the entry its own way.
     *
     * @throws IllegalArgumentException a value that does not fit its column, as {@link ValueCodec#toJdbc}
     */
    boolean add(List<Column> columns, List<JsonNode> values) throws SQLException;

    /** Writes what was taken (an upsert, or a delete, by primary key; of one key taken twice the last row counts). */
    void finish() throws SQLException;
}
