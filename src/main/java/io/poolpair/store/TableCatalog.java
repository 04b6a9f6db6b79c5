package io.poolpair.store;

import io.poolpair.config.ConfigException;
import io.poolpair.config.ModuleConfig;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The replicated tables of every module, described from database metadata. Built once at start-up; a
 * configured table that does not exist, or has no primary key, is refused here with its name.
 */
public final class TableCatalog {

    private final Map<String, List<TableInfo>> byModule;
    private final Map<String, TableInfo> byName;

    private TableCatalog(Map<String, List<TableInfo>> byModule) {
        this.byModule = byModule;
        this.byName = new LinkedHashMap<>();
        byModule.values().forEach(list -> list.forEach(t -> byName.put(t.name().toLowerCase(Locale.ROOT), t)));
    }

    public static TableCatalog read(DataSource dataSource, List<ModuleConfig> modules) {
        Map<String, List<TableInfo>> byModule = new LinkedHashMap<>();
        try (Connection conn = dataSource.getConnection()) {
            DatabaseMetaData meta = conn.getMetaData();
            for (ModuleConfig module : modules) {
                List<TableInfo> tables = new ArrayList<>();
                for (String table : module.tables()) {
                    tables.add(describe(meta, module, table));
                }
                byModule.put(module.name(), Collections.unmodifiableList(tables));
            }
        } catch (SQLException e) {
            throw new ConfigException("cannot read table metadata from poolpair.datasource.url: " + e.getMessage(), e);
        }
        return new TableCatalog(byModule);
    }

    private static TableInfo describe(DatabaseMetaData meta, ModuleConfig module, String table) throws SQLException {
        String schema = null;
        String dbName = null;
        try (ResultSet rs = meta.getTables(null, null, null, new String[] {"TABLE", "BASE TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                String s = rs.getString("TABLE_SCHEM");
                if (isSystemSchema(s)) {
                    continue;
                }
                if (name.equals(table) || (dbName == null && name.equalsIgnoreCase(table))) {
                    dbName = name;
                    schema = s;
                }
            }
        }
        String key = "poolpair.module." + module.name() + ".tables";
        if (dbName == null) {
            throw new ConfigException(key + ": table " + table + " does not exist in the database");
        }
        Map<Integer, Column> columns = new TreeMap<>();
        try (ResultSet rs = meta.getColumns(null, schema, dbName, null)) {
            while (rs.next()) {
                columns.put(rs.getInt("ORDINAL_POSITION"), new Column(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                        rs.getString("TYPE_NAME"), rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls));
            }
        }
        Map<Integer, Column> pk = new TreeMap<>();
        try (ResultSet rs = meta.getPrimaryKeys(null, schema, dbName)) {
            while (rs.next()) {
                String colName = rs.getString("COLUMN_NAME");
                Column col = columns.values().stream().filter(c -> c.name().equals(colName)).findFirst().orElseThrow();
                pk.put(rs.getInt("KEY_SEQ"), col);
            }
        }
        if (pk.isEmpty()) {
            throw new ConfigException(key + ": table " + table + " has no primary key; poolpair replicates rows by key,"
                    + " so add one or remove the table from the module");
        }
        module.ownerColumn().ifPresent(owner -> {
            if (columns.values().stream().noneMatch(c -> c.name().equalsIgnoreCase(owner))) {
                throw new ConfigException("poolpair.module." + module.name() + ".owner-column = " + owner
                        + ": table " + table + " has no such column");
            }
        });
        return new TableInfo(table, module.name(), schema, dbName, List.copyOf(columns.values()), List.copyOf(pk.values()));
    }

    private static boolean isSystemSchema(String schema) {
        return schema != null && (schema.equalsIgnoreCase("INFORMATION_SCHEMA") || schema.equalsIgnoreCase("pg_catalog"));
    }

    /** The module's tables in configured order (upserts apply in this order, deletes in reverse). */
    public List<TableInfo> tables(String module) {
        List<TableInfo> tables = byModule.get(module);
        if (tables == null) {
            throw new IllegalArgumentException("module " + module + " is not configured");
        }
        return tables;
    }

    public TableInfo table(String name) {
        TableInfo t = byName.get(name.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException("table " + name + " is not replicated");
        }
        return t;
    }

    public List<TableInfo> all() {
        return List.copyOf(byName.values());
    }
}
