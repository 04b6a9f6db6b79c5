package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code manifest.json} stays byte for byte what poolpair wrote before the manifest had a builder and a kind enum
 * (the files under {@code src/test/resources/format/} were written by the former 19-argument constructor): batches
 * already in a share still verify, and their manifest sha256 (what the importer records) does not change.
 */
class ManifestFormatTest {

    private static byte[] recorded(String name) throws IOException {
        try (InputStream in = ManifestFormatTest.class.getResourceAsStream("/format/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Map<String, Manifest.TableCounts> counts(String table, long upserts, long deletes) {
        Map<String, Manifest.TableCounts> t = new LinkedHashMap<>();
        t.put(table, new Manifest.TableCounts(upserts, deletes));
        return t;
    }

    private static final List<Manifest.Entry> CONTENT_ENTRIES = List.of(
            new Manifest.Entry("data/conference_content.upsert.ndjson", "conference_content", "upsert", 80, "ab".repeat(32)),
            new Manifest.Entry("content/conference_content/2", "conference_content", "content", 1000, "cd".repeat(32)));

    @Test
    void deltaBuiltWithTheBuilderIsTheDeltaWrittenBefore() throws Exception {
        Manifest delta = Manifest.builder(Manifest.Kind.DELTA, "poolA", "poolB", "UserServices.PresenceFocus", 42)
                .changeIds(100, 130).changes(31).createdAt("2026-11-30T10:00:00Z").tables(counts("user_contact", 2, 1))
                .entries(List.of(
                        new Manifest.Entry("data/user_contact.upsert.ndjson", "user_contact", "upsert", 120, "ab".repeat(32)),
                        new Manifest.Entry("data/user_contact.delete.ndjson", "user_contact", "delete", 20, "cd".repeat(32)),
                        new Manifest.Entry("failover/key-times.json", null, "key-times", 60, "ef".repeat(32))))
                .incarnation("inc-a").build();
        assertEquals(new String(recorded("delta.json"), StandardCharsets.UTF_8), new String(delta.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void fullAndRestorePartsBuiltWithTheBuilderAreThePartsWrittenBefore() throws Exception {
        Manifest full = Manifest.builder(Manifest.Kind.FULL, "poolA", "poolB", "ConfServices.DataConf", 7).part(2, 3)
                .changes(1).createdAt("2026-11-30T10:00:00Z").tables(counts("conference_content", 1, 0))
                .entries(CONTENT_ENTRIES).encryption("AES-256-GCM").incarnation("inc-a").build();
        assertArrayEquals(recorded("full.json"), full.toJson());
        Manifest restore = Manifest.builder(Manifest.Kind.RESTORE, "poolA", "poolB", "ConfServices.DataConf", 9).part(1, 2)
                .changes(1).createdAt("2026-11-30T10:00:00Z").tables(counts("conference_content", 1, 0))
                .entries(CONTENT_ENTRIES).incarnation("inc-a").baseline(9L).snapshotRows(5L).build();
        assertArrayEquals(recorded("restore.json"), restore.toJson());
    }

    @Test
    void aManifestReadFromAShareIsWrittenBackToTheSameBytes() throws Exception {
        for (String name : List.of("delta.json", "full.json", "restore.json")) {
            byte[] json = recorded(name);
            Manifest read = Manifest.fromJson(json);
            assertArrayEquals(json, read.toJson(), name);
        }
        assertEquals(Manifest.Kind.RESTORE, Manifest.fromJson(recorded("restore.json")).kind());
        assertTrue(Manifest.fromJson(recorded("full.json")).snapshot());
    }

    @Test
    void aManifestOfAnUnknownKindIsRefusedNamingTheKind() throws Exception {
        String json = new String(recorded("delta.json"), StandardCharsets.UTF_8).replace("\"delta\"", "\"incremental\"");
        IOException e = assertThrows(IOException.class, () -> Manifest.fromJson(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("manifest kind 'incremental' is not supported"), e.getMessage());
    }
}
