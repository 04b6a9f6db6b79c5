package io.poolpair.store;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A replicated table: its configured name (used in batches), its name in this database, its columns and
 * primary key, read from the database's own metadata.
 */
public record TableInfo(String name, String module, String schema, String dbName, List<Column> columns, List<Column> primaryKey) {

    /** Finds a column by name: exact match first, then case-insensitive (H2 upper-cases, PostgreSQL lower-cases). */
    public Optional<Column> column(String columnName) {
        for (Column c : columns) {
            if (c.name().equals(columnName)) {
                return Optional.of(c);
            }
        }
        String lower = columnName.toLowerCase(Locale.ROOT);
        return columns.stream().filter(c -> c.name().toLowerCase(Locale.ROOT).equals(lower)).findFirst();
    }
}
