package io.poolpair.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The naive alternative to delta replication: export every row of a table as uncompressed NDJSON (the same
 * value encoding as poolpair's batches) and import all of it into the copy, replacing the rows it held.
 */
final class NdjsonCopy {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NdjsonCopy() {
    }

    /** Writes the rows of {@code table} matching {@code where} (null: all) as NDJSON; returns the row count. */
    static long export(Connection conn, Dialect dialect, TableInfo table, String where, OutputStream out)
            throws SQLException, IOException {
        List<Column> columns = table.columns();
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        long rows = 0;
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + dialect.columnList(columns) + " FROM "
                + dialect.qualified(table) + (where == null ? "" : " WHERE " + where))) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery(); JsonGenerator gen = MAPPER.createGenerator(out)) {
                gen.setRootValueSeparator(null);
                while (rs.next()) {
                    gen.writeStartObject();
                    for (int i = 0; i < columns.size(); i++) {
                        gen.writeFieldName(columns.get(i).name());
                        ValueCodec.write(gen, rs, i + 1, columns.get(i));
                    }
                    gen.writeEndObject();
                    gen.writeRaw('\n');
                    rows++;
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(auto);
        }
        return rows;
    }

    /**
     * Replaces the rows of {@code table} owned by {@code owner} with those of {@code file}, in one transaction
     * with capture suppressed; returns the rows inserted.
     */
    static long importAll(Connection conn, Dialect dialect, TableInfo table, String owner, Path file)
            throws SQLException, IOException {
        List<Column> columns = table.columns();
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        boolean auto = conn.getAutoCommit();
        conn.setAutoCommit(false);
        long rows = 0;
        try (PreparedStatement delete = conn.prepareStatement("DELETE FROM " + dialect.qualified(table)
                + " WHERE home_pool = ?");
             PreparedStatement insert = conn.prepareStatement("INSERT INTO " + dialect.qualified(table) + " ("
                     + dialect.columnList(columns) + ") VALUES (" + marks + ")");
             BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            dialect.setApplying(conn, true);
            delete.setString(1, owner);
            delete.executeUpdate();
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode row = MAPPER.readTree(line);
                for (int i = 0; i < columns.size(); i++) {
                    dialect.bind(insert, i + 1, row.get(columns.get(i).name()), columns.get(i));
                }
                insert.addBatch();
                if (++rows % Workload.JDBC_BATCH == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            dialect.setApplying(conn, false);
            conn.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(auto);
        }
        return rows;
    }

    /** An output stream that only counts. */
    static final class Counting extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
