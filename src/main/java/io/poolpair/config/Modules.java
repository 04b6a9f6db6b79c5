package io.poolpair.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The configured modules ({@code poolpair.modules} and each one's {@code poolpair.module.<M>.*} keys), parsed once at
 * load.
 *
 * @param list        the modules in the order {@code poolpair.modules} gives
 * @param sizeColumns each module's {@code content-size-column}, when set
 */
record Modules(List<ModuleConfig> list, Map<String, ModuleConfig> byName, Map<String, String> sizeColumns) {

    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+");

    /** Parses the modules; {@code raw} gives a key's effective text (null when not set). */
    static Modules parse(Function<String, String> raw, List<String> names, String pool, String peer) {
        if (names.isEmpty()) {
            throw new ConfigException("poolpair.modules is empty: name at least one module, e.g. UserServices.PresenceFocus");
        }
        List<ModuleConfig> modules = new ArrayList<>();
        Map<String, String> sizeColumns = new LinkedHashMap<>();
        Set<String> seenTables = new LinkedHashSet<>();
        for (String name : names) {
            if (!MODULE_NAME.matcher(name).matches()) {
                throw new ConfigException("poolpair.modules: module '" + name + "' must look like Category.Module"
                        + " (letters, digits, '_', one dot)");
            }
            String tablesKey = Settings.MODULE_TABLES.forModule(name);
            List<String> tables = Settings.MODULE_TABLES.parse(tablesKey, raw.apply(tablesKey));
            if (tables.isEmpty()) {
                throw new ConfigException(tablesKey + " is missing: list the tables of module " + name);
            }
            for (String table : tables) {
                if (!Settings.TABLE_NAME.matcher(table).matches()) {
                    throw new ConfigException(tablesKey + ": '" + table + "' is not a plain table name");
                }
                if (!seenTables.add(table.toLowerCase())) {
                    throw new ConfigException(tablesKey + ": table " + table + " is already replicated by another module");
                }
            }
            String owner = value(Settings.MODULE_OWNER_COLUMN, name, raw);
            var contentDir = value(Settings.MODULE_CONTENT_DIR, name, raw);
            String contentTable = value(Settings.MODULE_CONTENT_TABLE, name, raw);
            if (contentTable.isEmpty() && contentDir.isPresent()) {
                contentTable = tables.get(0);
            }
            if (!contentTable.isEmpty() && !tables.contains(contentTable)) {
                throw new ConfigException(Settings.MODULE_CONTENT_TABLE.forModule(name) + " = " + contentTable
                        + ": not one of the module's tables " + tables);
            }
            String ownerPoolKey = Settings.MODULE_OWNER_POOL.forModule(name);
            String ownerPool = value(Settings.MODULE_OWNER_POOL, name, raw);
            if (owner.isEmpty() && ownerPool.isEmpty()) {
                throw new ConfigException("module " + name + " names no owner of its rows: set poolpair.module." + name
                        + ".owner-column = <the column naming each row's pool> or " + ownerPoolKey + " = <" + pool
                        + " or " + peer + ", the pool whose rows these are> (without either, a full sync from one pool"
                        + " would delete the other's rows)");
            }
            if (!owner.isEmpty() && !ownerPool.isEmpty()) {
                throw new ConfigException(ownerPoolKey + " = " + ownerPool + " and poolpair.module." + name
                        + ".owner-column = " + owner + ": name one owner, the column or the pool");
            }
            if (!ownerPool.isEmpty() && !ownerPool.equals(pool) && !ownerPool.equals(peer)) {
                throw new ConfigException(ownerPoolKey + " = " + ownerPool + " is neither this pool (" + pool
                        + ") nor its peer (" + peer + ")");
            }
            String sizeColumn = value(Settings.MODULE_CONTENT_SIZE_COLUMN, name, raw);
            if (!sizeColumn.isEmpty()) {
                sizeColumns.put(name, sizeColumn);
            }
            modules.add(new ModuleConfig(name, List.copyOf(tables), owner.isEmpty() ? Optional.empty() : Optional.of(owner),
                    contentDir, contentDir.isEmpty() ? Optional.empty() : Optional.of(contentTable),
                    ownerPool.isEmpty() ? Optional.empty() : Optional.of(ownerPool)));
        }
        Map<String, ModuleConfig> byName = new LinkedHashMap<>();
        modules.forEach(m -> byName.put(m.name(), m));
        return new Modules(List.copyOf(modules), Map.copyOf(byName), Map.copyOf(sizeColumns));
    }

    private static <T> T value(Setting<T> setting, String module, Function<String, String> raw) {
        String key = setting.forModule(module);
        return setting.parse(key, raw.apply(key));
    }

    ModuleConfig module(String name) {
        ModuleConfig module = byName.get(name);
        if (module == null) {
            throw new IllegalArgumentException("module " + name + " is not configured (poolpair.modules)");
        }
        return module;
    }

    Optional<String> sizeColumn(String module) {
        return Optional.ofNullable(sizeColumns.get(module));
    }
}
