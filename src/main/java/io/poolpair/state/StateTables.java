package io.poolpair.state;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Whether a state table exists yet: a command run against a store before the service first started there (its
 * tables not created) reads nothing rather than failing. Names are looked up as written and in upper case (H2).
 */
final class StateTables {

    private StateTables() {
    }

    static boolean exist(DataSource dataSource, String name) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            for (String n : new String[] {name, name.toUpperCase()}) {
                try (ResultSet rs = conn.getMetaData().getTables(null, null, n, null)) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
