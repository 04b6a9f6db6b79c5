package io.poolpair.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.poolpair.store.Column;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a delta ({@link BatchWriter}) and a snapshot ({@link FullSnapshot}) both do to put rows into a batch
 * ({@link io.poolpair.batch.BatchZip}): read them in one consistent transaction, write each as an NDJSON line, and name
 * the content file of a row from its key values as the batch carries them (what the importer reads back).
 */
final class RowWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RowWriter() {
    }

    /** Work done inside the snapshot. */
    interface Read<T> {
        T run(Connection conn) throws Exception;
    }

    /**
     * Runs {@code read} in one read-only, repeatable-read transaction, so rows of related tables are read as of the
     * same moment; rolled back (and rethrown) when it fails.
     */
    static <T> T inOneSnapshot(DataSource dataSource, Read<T> read) throws Exception {
        try (Connection conn = dataSource.getConnection()) {
            conn.setAutoCommit(false);
            conn.setReadOnly(true);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                T result = read.run(conn);
                conn.commit();
                return result;
            } catch (Exception e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setReadOnly(false);
                conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
    }

    /** One NDJSON line from the current row, whose first column is at {@code first}. */
    static void writeRow(JsonGenerator gen, ResultSet rs, int first, List<Column> columns) throws SQLException, IOException {
        gen.writeStartObject();
        for (int i = 0; i < columns.size(); i++) {
            gen.writeFieldName(columns.get(i).name());
            ValueCodec.write(gen, rs, first + i, columns.get(i));
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }

    /**
     * The key values of the current row (first column at {@code first}, in the table's column order) as the batch
     * carries them: a JSON array in primary key order, each value written as its NDJSON line writes it.
     */
    static JsonNode keyOf(ResultSet rs, int first, TableInfo table) throws SQLException, IOException {
        List<Column> columns = table.columns();
        TokenBuffer key = new TokenBuffer(MAPPER, false);
        key.writeStartArray();
        for (Column c : table.primaryKey()) {
            ValueCodec.write(key, rs, first + columns.indexOf(c), c);
        }
        key.writeEndArray();
        return MAPPER.readTree(key.asParser());
    }
}
