package io.poolpair.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An NDJSON entry is read with one parser for the whole entry, and still line by line in what it accepts: one JSON
 * object a line, empty lines skipped, lines ended by LF, CR LF or CR.
 */
class NdjsonRowsTest {

    private static final Manifest.Entry ENTRY = new Manifest.Entry("data/user_contact.upsert.ndjson", "user_contact",
            Manifest.Entry.UPSERT, 0, "00");

    @Test
    void rowsComeBackInOrderWhateverTheLineEndings() throws Exception {
        String text = "{\"ID\":1,\"NOTE\":\"two\\nlines, one row\"}\r\n\n{\"ID\":2,\"NOTE\":\"caf\u00e9\"}\r{\"ID\":3,\"NOTE\":null}\n";
        List<JsonNode> rows = rows(text);
        assertEquals(3, rows.size());
        assertEquals("two\nlines, one row", rows.get(0).get("NOTE").asText());
        assertEquals("caf\u00e9", rows.get(1).get("NOTE").asText());
        assertEquals(3, rows.get(2).get("ID").asInt());
        assertEquals(List.of(), rows(""));
    }

    @Test
    void aLineThatIsNotExactlyOneObjectIsRefusedNamingTheEntryAndLine() {
        assertRefused("{\"ID\":1}\n{\"ID\":2} {\"ID\":3}\n", "line 2 holds more than one JSON value");
        assertRefused("{\"ID\":1}\n{\"ID\":\n2}\n", "line 2 is not valid JSON: the object continues on the next line");
        assertRefused("{\"ID\":1}\n[1, 2]\n", "line 2 is not a JSON object");
        assertRefused("{\"ID\":1}\n\n{\"ID\":}\n", "line 3 is not valid JSON");
    }

    private static void assertRefused(String text, String reason) {
        BatchRejectedException e = assertThrows(BatchRejectedException.class, () -> rows(text));
        assertEquals(true, e.getMessage().startsWith(ENTRY.name() + " " + reason), e.getMessage());
    }

    private static List<JsonNode> rows(String text) throws Exception {
        NdjsonRows reader = new NdjsonRows(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), ENTRY);
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode row = reader.next(); row != null; row = reader.next()) {
            rows.add(row);
        }
        assertNull(reader.next());
        return rows;
    }
}
