package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.store.SqlScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A script statement after a {@code -- only if: <query>} comment runs only when the query's first value is true. */
class SqlScriptTest {

    @TempDir
    Path dir;

    @Test
    void aStatementAfterAnOnlyIfCommentRunsOnlyWhenItsQueryHolds() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sql"), """
                CREATE TABLE t (v INT);
                -- only if: SELECT COUNT(*) = 0 FROM t
                INSERT INTO t VALUES (1);
                -- only if: SELECT COUNT(*) = 0 FROM t
                INSERT INTO t VALUES (2);
                -- an ordinary comment; the next statement has no condition
                INSERT INTO t VALUES (3);
                """);
        try (Connection conn = DriverManager.getConnection("jdbc:h2:mem:script"); Statement st = conn.createStatement()) {
            SqlScript.run(conn, script);
            try (ResultSet rs = st.executeQuery("SELECT LISTAGG(v, ',') WITHIN GROUP (ORDER BY v) FROM t")) {
                rs.next();
                assertEquals("1,3", rs.getString(1));
            }
        }
    }
}
