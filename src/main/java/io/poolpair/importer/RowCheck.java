package io.poolpair.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import io.poolpair.store.Column;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads every row of a batch before anything touches the database: each line is a JSON object, names only
 * columns the receiving table has, carries the key, and every value converts to its column's type.
 */
final class RowCheck {

    private final TableCatalog catalog;

    RowCheck(TableCatalog catalog) {
        this.catalog = catalog;
    }

    /** Checks every row of one data entry, read from its (decrypted) bytes. */
    void check(InputStream plain, Manifest.Entry entry) throws BatchRejectedException, IOException {
        TableInfo table = catalog.table(entry.table());
        NdjsonRows rows = new NdjsonRows(plain, entry);
        for (JsonNode row = rows.next(); row != null; row = rows.next()) {
            checkRow(table, row);
        }
    }

    private static void checkRow(TableInfo table, JsonNode row) throws BatchRejectedException {
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Column column = table.column(field.getKey()).orElseThrow(() -> new BatchRejectedException(
                    "table " + table.name() + " has no column '" + field.getKey() + "'"));
            try {
                ValueCodec.toJdbc(field.getValue(), column);
            } catch (IllegalArgumentException e) {
                throw new BatchRejectedException("table " + table.name() + ": " + e.getMessage(), e);
            }
        }
        for (Column key : table.primaryKey()) {
            if (ValueCodec.field(row, key.name()) == null) {
                throw new BatchRejectedException("a row of " + table.name() + " lacks key column " + key.name());
            }
        }
    }
}
