package io.poolpair.store;

import io.poolpair.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Runs a plain SQL file of {@code ;}-terminated statements ({@code --} comments allowed). */
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
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--")) {
                continue;
            }
            sql.append(line).append('\n');
        }
        try (Statement st = conn.createStatement()) {
            for (String statement : sql.toString().split(";")) {
                if (!statement.isBlank()) {
                    st.execute(statement);
                }
            }
        } catch (SQLException e) {
            throw new ConfigException("SQL script " + file + " failed: " + e.getMessage(), e);
        }
    }
}
