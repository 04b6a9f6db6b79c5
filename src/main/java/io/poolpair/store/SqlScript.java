package io.poolpair.store;

import io.poolpair.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a plain SQL file: statements end with {@code ;}; {@code --} comments, quoted strings and
 * PostgreSQL dollar-quoted bodies ({@code $tag$ ... $tag$}) may contain semicolons. A comment line
 * {@code -- only if: <query>} right before a statement runs it only when the query's first value is true: DDL that
 * would change nothing (H2 has no {@code IF} for it) can still lock a table the applications write, or copy it.
 */
public final class SqlScript {

    private static final String ONLY_IF = "only if:";

    private SqlScript() {
    }

    public static void run(Connection conn, Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read SQL script " + file + ": " + e.getMessage(), e);
        }
        try (Statement st = conn.createStatement()) {
            for (Step step : split(text)) {
                if (step.onlyIf() == null || holds(st, step.onlyIf())) {
                    st.execute(step.sql());
                }
            }
        } catch (SQLException e) {
            throw new ConfigException("SQL script " + file + " failed: " + e.getMessage(), e);
        }
    }

    /** A statement, and the query that must hold for it to run (null: always). */
    record Step(String sql, String onlyIf) {
    }

    private static boolean holds(Statement st, String query) throws SQLException {
        try (ResultSet rs = st.executeQuery(query)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    static List<Step> split(String text) {
        List<Step> statements = new ArrayList<>();
        String onlyIf = null;
        StringBuilder current = new StringBuilder();
        String dollarTag = null;
        boolean inString = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (dollarTag != null) {
                if (text.startsWith(dollarTag, i)) {
                    current.append(dollarTag);
                    i += dollarTag.length();
                    dollarTag = null;
                    continue;
                }
            } else if (inString) {
                inString = c != '\'';
            } else if (c == '\'') {
                inString = true;
            } else if (c == '-' && text.startsWith("--", i)) {
                int end = text.indexOf('\n', i);
                String comment = text.substring(i + 2, end < 0 ? text.length() : end).strip();
                if (comment.startsWith(ONLY_IF) && current.toString().isBlank()) {
                    onlyIf = comment.substring(ONLY_IF.length()).strip();
                }
                i = end < 0 ? text.length() : end;
                continue;
            } else if (c == '$') {
                int end = text.indexOf('$', i + 1);
                if (end > 0 && text.substring(i + 1, end).matches("[A-Za-z_]*")) {
                    dollarTag = text.substring(i, end + 1);
                    current.append(dollarTag);
                    i = end + 1;
                    continue;
                }
            } else if (c == ';') {
                if (!current.toString().isBlank()) {
                    statements.add(new Step(current.toString().strip(), onlyIf));
                }
                onlyIf = null;
                current.setLength(0);
                i++;
                continue;
            }
            current.append(c);
            i++;
        }
        if (!current.toString().isBlank()) {
            statements.add(new Step(current.toString().strip(), onlyIf));
        }
        return statements;
    }
}
