package io.poolpair.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.Random;
import javax.sql.DataSource;

/**
 * Writes what a pool's users would: contacts, conferences, settings and CMS documents homed on that pool;
 * inserts in every round, and updates and deletes of earlier rows, in SQL every supported database
 * understands. Deterministic for a given seed.
 */
public final class DemoWriter {

    private final DataSource ds;
    private final String pool;
    private final long conferenceBase;
    private final Random random;
    private Path contentDir;

    public DemoWriter(DataSource ds, String pool, long conferenceBase, long seed) {
        this.ds = ds;
        this.pool = pool;
        this.conferenceBase = conferenceBase;
        this.random = new Random(seed);
    }

    /** Also uploads conference content (ConfServices.DataConf) into this folder. */
    public DemoWriter withContent(Path folder) {
        this.contentDir = folder;
        return this;
    }

    /** One round of writes; returns the number of row changes made. */
    public int writeRound(int round) throws SQLException {
        int changes = 0;
        try (Connection conn = ds.getConnection()) {
            conn.setAutoCommit(false);
            for (int i = 0; i < 20; i++) {
                changes += exec(conn, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, is_favorite,"
                        + " home_pool) VALUES (?, ?, ?, ?, ?, ?)",
                        user(i % 5), "sip:contact" + (round * 20 + i) + "@example.com", "Group " + random.nextInt(4),
                        "Contact Ünïcødé " + round + "/" + i, random.nextBoolean(), pool);
            }
            for (int i = 0; i < 5; i++) {
                long id = conferenceBase + round * 10L + i;
                changes += exec(conn, "INSERT INTO conference_directory (conference_id, organizer_uri, title, starts_at,"
                        + " max_attendees, home_pool) VALUES (?, ?, ?, ?, ?, ?)",
                        id, user(i), "Weekly sync " + id, Timestamp.valueOf(LocalDateTime.of(2026, 12, 1 + i, 9, 30, 15, 123_000_000)),
                        random.nextInt(250) + 2, pool);
            }
            for (int i = 0; i < 10; i++) {
                changes += exec(conn, "INSERT INTO user_setting (user_uri, setting_name, setting_value, updated_at, home_pool)"
                        + " VALUES (?, ?, ?, ?, ?)",
                        user(i % 5), "setting." + (round * 10 + i), "value-" + random.nextInt(1000),
                        Timestamp.valueOf(LocalDateTime.now().withNano(0)), pool);
            }
            for (int i = 0; i < 3; i++) {
                String content = "<doc pool='" + pool + "' round='" + round + "'>" + "x".repeat(random.nextInt(2000)) + "</doc>";
                changes += exec(conn, "INSERT INTO cms_document (doc_id, version, content, checksum, price, updated_at, home_pool)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        pool + "-doc-" + (round * 3 + i), 1, content, sha256(content),
                        new BigDecimal(random.nextInt(1_000_000)).movePointLeft(3), Timestamp.valueOf(LocalDateTime.now()), pool);
            }
            if (round > 1) {
                changes += exec(conn, "UPDATE user_contact SET group_name = 'Moved in round " + round + "' WHERE home_pool = ?"
                        + " AND contact_uri LIKE 'sip:contact" + (round - 2) + "%'", pool);
                changes += exec(conn, "DELETE FROM user_contact WHERE home_pool = ? AND contact_uri LIKE 'sip:contact"
                        + ((round - 2) * 20 + 1) + "@%'", pool);
                changes += exec(conn, "UPDATE conference_directory SET title = title || ' (moved)', max_attendees = NULL"
                        + " WHERE home_pool = ? AND conference_id = ?", pool, conferenceBase + (round - 1) * 10L);
                changes += exec(conn, "DELETE FROM conference_directory WHERE home_pool = ? AND conference_id = ?",
                        pool, conferenceBase + (round - 1) * 10L + 4);
                changes += exec(conn, "DELETE FROM user_setting WHERE home_pool = ? AND setting_name = ?",
                        pool, "setting." + ((round - 1) * 10 + 3));
                changes += exec(conn, "UPDATE cms_document SET version = version + 1, content = NULL WHERE doc_id = ?",
                        pool + "-doc-" + ((round - 1) * 3));
                changes += exec(conn, "DELETE FROM cms_document WHERE doc_id = ?", pool + "-doc-" + ((round - 1) * 3 + 2));
            }
            if (contentDir != null) {
                changes += uploadContent(conn, round);
            }
            conn.commit();
        }
        return changes;
    }

    /** Two uploads per round (a small and a 64 KiB file); from round 2 on, one earlier upload is removed. */
    private int uploadContent(Connection conn, int round) throws SQLException {
        int changes = 0;
        long conference = conferenceBase + round * 10L;
        for (int size : new int[] {1024, 64 * 1024}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            String name = "upload-" + size + ".bin";
            Path file = contentDir.resolve(conference + "/" + name);
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            changes += exec(conn, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, uploaded_at,"
                    + " home_pool) VALUES (?, ?, ?, ?, ?, ?)", conference, name, (long) size, hex(sha256(bytes)),
                    Timestamp.valueOf(LocalDateTime.now()), pool);
        }
        if (round > 1) {
            long earlier = conferenceBase + (round - 1) * 10L;
            changes += exec(conn, "DELETE FROM conference_content WHERE conference_id = ? AND file_name = ?", earlier,
                    "upload-1024.bin");
            try {
                Files.deleteIfExists(contentDir.resolve(earlier + "/upload-1024.bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return changes;
    }

    private String user(int i) {
        return "sip:user" + i + "@" + pool + ".example.com";
    }

    private static int exec(Connection conn, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static byte[] sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
