package io.poolpair.bench;

import io.poolpair.store.Dialect;
import io.poolpair.store.SqlScript;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One database kind the bench measures on: embedded H2 files in the bench folder, or databases of the bench's
 * own PostgreSQL cluster. Hands out pool settings for poolpair and plain databases (demo schema, no poolpair)
 * for the baselines.
 */
final class BenchStore {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String name;
    private final Path home;
    private final Path dir;
    private final LocalPostgres postgres;

    private BenchStore(String name, Path home, Path dir, LocalPostgres postgres) {
        this.name = name;
        this.home = home;
        this.dir = dir;
        this.postgres = postgres;
    }

    static BenchStore h2(Path home, Path dir) {
        return new BenchStore("h2", home, dir, null);
    }

    static BenchStore postgres(Path home, Path dir, LocalPostgres server) {
        return new BenchStore("postgresql", home, dir, server);
    }

    String name() {
        return name;
    }

    String label() {
        return postgres == null ? "H2" : "PostgreSQL";
    }

    boolean isPostgres() {
        return postgres != null;
    }

    LocalPostgres server() {
        return postgres;
    }

    Dialect dialect() {
        return Dialect.forUrl(postgres == null ? "jdbc:h2:" : "jdbc:postgresql:");
    }

    Path demoSchema() {
        return home.resolve("config/sql/" + dialect().sqlFolder() + "/demo-schema.sql");
    }

    /** Settings that put a pool on a fresh database of this kind (H2: the pair folder's default file). */
    Map<String, String> poolSettings(String pool) throws SQLException {
        Map<String, String> settings = new HashMap<>();
        settings.put("poolpair.datasource.init-script", demoSchema().toString());
        if (postgres != null) {
            String db = pool.toLowerCase() + "_" + DATABASES.incrementAndGet();
            postgres.createDatabase(db);
            settings.put("poolpair.datasource.url", postgres.url(db));
            settings.put("poolpair.datasource.username", postgres.user());
            settings.put("poolpair.datasource.password", "");
        }
        return settings;
    }

    /** A fresh database with the demo schema and nothing of poolpair: no capture triggers. */
    Connection plainDatabase(String prefix) throws SQLException {
        int n = DATABASES.incrementAndGet();
        Connection conn;
        if (postgres != null) {
            String db = prefix + "_" + n;
            postgres.createDatabase(db);
            conn = postgres.connect(db);
        } else {
            // as durable as a pool's own store (see config/sql/h2/poolpair-tables.sql), so that only capture differs
            conn = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve(prefix + "-" + n).toAbsolutePath()
                    + ";WRITE_DELAY=0", "sa", "");
        }
        SqlScript.run(conn, demoSchema());
        return conn;
    }
}
