package io.poolpair.importer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The rows of an NDJSON entry, in order: one JSON object a line, empty lines skipped. One parser reads the whole entry
 * (a parser a line cost three times the parse itself); a line holding more than one value, a value spread over lines
 * or a value that is not an object is refused as a line-by-line reader would refuse it. UTF-8 is decoded as before
 * (a malformed byte reads as U+FFFD).
 */
final class NdjsonRows {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonParser parser;
    private final Manifest.Entry entry;
    private int lastLine;

    NdjsonRows(InputStream plain, Manifest.Entry entry) throws IOException {
        this.parser = MAPPER.createParser(new InputStreamReader(plain, StandardCharsets.UTF_8));
        this.entry = entry;
    }

    /** The next row, or null after the last. */
    JsonNode next() throws BatchRejectedException, IOException {
        int line = lastLine + 1;
        try {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return null;
            }
            line = parser.currentTokenLocation().getLineNr();
            if (line == lastLine) {
                throw new BatchRejectedException(entry.name() + " line " + line + " holds more than one JSON value");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new BatchRejectedException(entry.name() + " line " + line + " is not a JSON object");
            }
            JsonNode row = MAPPER.readTree(parser);
            if (parser.currentTokenLocation().getLineNr() != line) {
                throw new BatchRejectedException(entry.name() + " line " + line + " is not valid JSON: the object"
                        + " continues on the next line");
            }
            lastLine = line;
            return row;
        } catch (JacksonException e) {
            int at = e.getLocation() == null ? line : e.getLocation().getLineNr();
            throw new BatchRejectedException(entry.name() + " line " + at + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
