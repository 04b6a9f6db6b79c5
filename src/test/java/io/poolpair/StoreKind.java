package io.poolpair;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Where a test pool keeps its data: embedded H2 (in the pair's folder) or the test PostgreSQL server. */
enum StoreKind {
    H2, POSTGRES;

    /** Pool overrides for this store with {@code schema} (a file under config/sql/<db>/ or src/test/resources/sql/<db>/). */
    Map<String, String> pool(String pool, String schema) throws SQLException {
        Map<String, String> overrides = new HashMap<>();
        String folder = this == H2 ? "h2" : "postgresql";
        if (this == POSTGRES) {
            overrides.putAll(PostgresServer.get().newDatabase(pool));
        }
        Path script = schema.equals("demo") ? Path.of("config/sql", folder, "demo-schema.sql")
                : Path.of("src/test/resources/sql", folder, schema + ".sql");
        overrides.put("poolpair.datasource.init-script", script.toAbsolutePath().toString());
        return overrides;
    }

    /** A pair name such as {@code POSTGRES-H2} → the two kinds. */
    static StoreKind[] pair(String name) {
        String[] parts = name.split("-");
        return new StoreKind[] {valueOf(parts[0]), valueOf(parts[1])};
    }
}
