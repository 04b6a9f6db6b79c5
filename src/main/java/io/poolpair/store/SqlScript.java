package io.poolpair.store;

import io.poolpair.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a plain SQL file: statements end with {@code ;}; {@code --} comments, quoted strings and
 * PostgreSQL dollar-quoted bodies ({@code $tag$ ... $tag$}) may contain semicolons.
 */
public final class SqlScript {

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
            for (String statement : split(text)) {
                st.execute(statement);
            }
        } catch (SQLException e) {
            throw new ConfigException("SQL script " + file + " failed: " + e.getMessage(), e);
        }
    }

    static List<String> split(String text) {
        List<String> statements = new ArrayList<>();
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
                    statements.add(current.toString().strip());
                }
                current.setLength(0);
                i++;
                continue;
            }
            current.append(c);
            i++;
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }
}
