package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL applies an entry's rows with COPY into a temporary table and one set-based statement: values that COPY's
 * text format must escape arrive unchanged, and a row the receiver refuses rolls the whole batch back.
 */
class BulkApplyTest {

    private static final String TYPES = "Test.Types";
    private static final byte[] BYTES = {0x00, 0x5C, 0x5C, 0x4E, 0x0A, 0x09, 0x2E, (byte) 0xFF};
    private static final String[] TEXTS = {"tab\there", "line\nbreak\r\nand return\r", "back\\slash", "\\N", "\\.",
            "ends with \\", "Grüße 😀 ünïcødé", "\t\n\\\r", ""};

    @TempDir
    Path dir;

    private TwoPools start() throws Exception {
        Map<String, String> modules = Map.of(
                "poolpair.modules", TYPES,
                "poolpair.module." + TYPES + ".tables", "type_matrix, Order",
                "poolpair.module." + TYPES + ".owner-pool", A);
        return TwoPools.start(dir, modules, StoreKind.POSTGRES.pool(A, "types"), StoreKind.POSTGRES.pool(B, "types"));
    }

    @Test
    void valuesThatCopyMustEscapeArriveUnchanged() throws Exception {
        try (TwoPools pools = start()) {
            for (int i = 0; i < TEXTS.length; i++) {
                TwoPools.exec(pools.a, "INSERT INTO type_matrix (id, code, c_varchar, c_text, c_bytes, c_json)"
                        + " VALUES (?, ?, ?, ?, ?, ?::jsonb)", i, "t" + i, TEXTS[i], TEXTS[i] + TEXTS[i], BYTES,
                        "{\"s\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(TEXTS[i]) + "}");
            }
            TwoPools.exec(pools.a, "INSERT INTO type_matrix (id, code) VALUES (100, 'nulls')");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();

            try (Connection conn = pools.b.store().dataSource().getConnection();
                 PreparedStatement ps = conn.prepareStatement("SELECT c_varchar, c_text, c_bytes, c_json ->> 's'"
                         + " FROM type_matrix WHERE id = ?")) {
                for (int i = 0; i < TEXTS.length; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "row " + i + " arrived");
                        assertEquals(TEXTS[i], rs.getString(1));
                        assertEquals(TEXTS[i] + TEXTS[i], rs.getString(2));
                        assertArrayEquals(BYTES, rs.getBytes(3));
                        assertEquals(TEXTS[i], rs.getString(4));
                    }
                }
                ps.setInt(1, 100);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertNull(rs.getString(1));
                    assertNull(rs.getBytes(3));
                }
            }
        }
    }

    @Test
    void aRowTheReceiverRefusesMidBatchLeavesNothingOfTheBatchCommitted() throws Exception {
        try (TwoPools pools = start()) {
            TwoPools.exec(pools.a, "INSERT INTO type_matrix (id, code, c_integer) VALUES (9, 'old', 1), (10, 'kept', 1)");
            pools.syncUntilSettled();
            long applied = pools.importState(pools.b, TYPES).lastApplied();
            TwoPools.exec(pools.b, "ALTER TABLE type_matrix ADD CONSTRAINT no_bad_code CHECK (code <> 'bad')");

            // one batch: a delete, an update, and inserts with the refused row between good ones
            TwoPools.exec(pools.a, "DELETE FROM type_matrix WHERE id = 9");
            TwoPools.exec(pools.a, "UPDATE type_matrix SET c_integer = 2 WHERE id = 10");
            TwoPools.exec(pools.a, "INSERT INTO type_matrix (id, code) SELECT g, CASE WHEN g = 1500 THEN 'bad' ELSE 'ok' END"
                    + " FROM generate_series(1000, 1999) g");
            pools.a.syncNow();
            TwoPools.await("poolB reports the refused row", () -> pools.importState(pools.b, TYPES).lastError() != null);

            String error = pools.importState(pools.b, TYPES).lastError();
            assertTrue(error.contains("no_bad_code"), error);
            assertEquals(applied, pools.importState(pools.b, TYPES).lastApplied());
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM type_matrix WHERE id = 9"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM type_matrix WHERE id = 10 AND c_integer = 1"));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM type_matrix WHERE id >= 1000"));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM pp_change"), "nothing captured on poolB");

            // the receiver lets the row in again: the same batch applies whole
            TwoPools.exec(pools.b, "ALTER TABLE type_matrix DROP CONSTRAINT no_bad_code");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertNull(pools.importState(pools.b, TYPES).lastError());
        }
    }

    /**
     * A sender never puts a key twice into one entry (a delta carries each key's latest state, a snapshot reads each
     * row once), but a signed entry that does so must not fail the set-based upsert: the last row of the key counts,
     * as it did row by row.
     */
    @Test
    void aKeyTwiceInOneEntryKeepsItsLastRow() throws Exception {
        try (TwoPools pools = TwoPools.start(dir, Map.of(), StoreKind.POSTGRES.pool(A, "demo"),
                StoreKind.POSTGRES.pool(B, "demo"))) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.exec(pools.a, "INSERT INTO user_contact (owner_uri, contact_uri, group_name, display_name, home_pool)"
                    + " VALUES ('sip:alice@poolA', 'sip:bob@example.com', 'Friends', 'first', 'poolA')");
            pools.a.syncNow();
            Path file = pools.dataFolder(pools.b, TwoPools.PRESENCE)
                    .resolve(new BatchName(A, TwoPools.PRESENCE, 1).fileName());
            Map<String, byte[]> entries = TestZips.read(Files.readAllBytes(file));
            String name = "data/user_contact.upsert.ndjson";
            String row = new String(entries.get(name), StandardCharsets.UTF_8).strip();
            byte[] data = (row + "\n" + row.replace("\"first\"", "\"last\"") + "\n").getBytes(StandardCharsets.UTF_8);
            entries.put(name, data);
            ObjectMapper json = new ObjectMapper();
            ObjectNode manifest = (ObjectNode) json.readTree(entries.get("manifest.json"));
            for (var entry : manifest.get("entries")) {
                if (entry.get("name").asText().equals(name)) {
                    ((ObjectNode) entry).put("size", data.length)
                            .put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
                }
            }
            ((ObjectNode) manifest.get("tables").get("user_contact")).put("upserts", 2);
            byte[] manifestJson = json.writeValueAsBytes(manifest);
            entries.put("manifest.json", manifestJson);
            entries.put("manifest.sig", new Signer(pools.a.config().key()).sign(Signer.Kind.BATCH_MANIFEST, manifestJson)
                    .getBytes(StandardCharsets.US_ASCII));
            Files.write(file, TestZips.zip(entries));

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitApplied(pools.b, TwoPools.PRESENCE, 1);
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact WHERE display_name = 'last'"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact"));
        }
    }
}
