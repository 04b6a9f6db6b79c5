package io.poolpair;

import io.poolpair.bench.LocalPostgres;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' PostgreSQL: one {@link LocalPostgres} cluster per test JVM, started on first use and removed at
 * exit. Without PostgreSQL binaries the tests that need it are skipped with a message (and fail in CI, see
 * {@link RequiredServer}); {@code .ci/run} installs them.
 */
final class PostgresServer {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer instance;
    private static String unavailable;

    private final LocalPostgres server;

    private PostgresServer(LocalPostgres server) {
        this.server = server;
    }

    /** The shared server; skips the calling test when PostgreSQL cannot be started here. */
    static synchronized PostgresServer get() {
        if (instance == null && unavailable == null) {
            try {
                instance = new PostgresServer(LocalPostgres.start(List.of()));
            } catch (Exception e) {
                unavailable = e.getMessage();
            }
        }
        RequiredServer.assume(instance != null, "PostgreSQL not available: " + unavailable);
        return instance;
    }

    LocalPostgres server() {
        return server;
    }

    String url(String database) {
        return server.url(database);
    }

    /** Creates an empty database and returns the pool overrides that point a pool at it. */
    Map<String, String> newDatabase(String prefix) throws SQLException {
        String name = prefix.toLowerCase() + "_" + DATABASES.incrementAndGet();
        server.createDatabase(name);
        return Map.of("poolpair.datasource.url", url(name), "poolpair.datasource.username", server.user(),
                "poolpair.datasource.password", "",
                "poolpair.datasource.init-script", Path.of("config/sql/postgresql/demo-schema.sql").toAbsolutePath().toString());
    }
}
