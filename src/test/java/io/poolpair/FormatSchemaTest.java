package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.poolpair.batch.Cookie;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Manifest;
import io.poolpair.state.ExportState;
import java.io.ByteArrayInputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON Schemas in {@code docs/format.md} describe what poolpair writes: a delta's and a full sync part's
 * {@code manifest.json} as the exporter wrote them into the peer's share, and the envelope and payload of the
 * {@code cookie.zip} the importer wrote into its peer's share, validate against them; and every field of the records they are written from is in the schema
 * (which allows no other), so a field added to the format without the schema fails here.
 */
class FormatSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The fenced JSON block of docs/format.md whose {@code $id} names {@code what}. */
    private static JsonNode schemaText(String what) throws Exception {
        String doc = Files.readString(Path.of("docs/format.md"));
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            JsonNode node = JSON.readTree(m.group(1));
            if (node.path("$id").asText().matches(".*/" + Pattern.quote(what) + "-\\d+\\.json")) {
                return node;
            }
        }
        throw new AssertionError("docs/format.md has no JSON Schema with $id .../" + what + "-<format>.json");
    }

    private static Schema schema(JsonNode text) {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text.toString());
    }

    private static void assertValid(Schema schema, byte[] json, String what) throws Exception {
        List<com.networknt.schema.Error> errors = schema.validate(JSON.readTree(json));
        assertTrue(errors.isEmpty(), what + " does not match its schema in docs/format.md: " + errors + "\n"
                + new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Every component of {@code record} is a property of {@code objectSchema}: none is written without its schema. */
    private static void assertDeclared(Class<?> record, JsonNode objectSchema, List<String> missing) {
        assertEquals(false, objectSchema.path("additionalProperties").asBoolean(true),
                record.getSimpleName() + "'s schema must allow no other properties");
        for (RecordComponent c : record.getRecordComponents()) {
            if (!objectSchema.path("properties").has(c.getName())) {
                missing.add(record.getSimpleName() + "." + c.getName());
            }
        }
    }

    private static byte[] manifestOf(Path zip) throws Exception {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            return file.getInputStream(file.getEntry(Manifest.FILE)).readAllBytes();
        }
    }

    @Test
    void everyFieldOfManifestAndCookieIsInItsSchema() throws Exception {
        JsonNode manifest = schemaText("manifest");
        JsonNode cookie = schemaText("cookie");
        List<String> missing = new ArrayList<>();
        assertDeclared(Manifest.class, manifest, missing);
        assertDeclared(Manifest.Entry.class, manifest.path("$defs").path("entry"), missing);
        assertDeclared(Manifest.TableCounts.class, manifest.path("properties").path("tables").path("additionalProperties"),
                missing);
        assertDeclared(Cookie.class, cookie, missing);
        assertDeclared(Cookie.Refusal.class, cookie.path("properties").path("refused"), missing);
        assertEquals(List.of(), missing, "fields written without their schema in docs/format.md");
    }

    @Test
    void manifestsTheExporterWritesAndTheCookieTheImporterWritesMatchTheirSchemas() throws Exception {
        Schema manifest = schema(schemaText("manifest"));
        Schema cookie = schema(schemaText("cookie"));
        Schema envelope = schema(schemaText("cookie-envelope"));
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.syncUntilSettled(); // the initial full syncs
            // poolB leaves what poolA publishes in its share
            pools.b.context().getRouteController().stopRoute("import-batches");
            long before = pools.exportState(pools.a, PRESENCE).lastBatch();
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:schema@example.com");
            pools.a.syncNow();
            Path delta = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName(A, PRESENCE, before + 1).fileName());
            byte[] deltaJson = manifestOf(delta);
            assertEquals(Manifest.Kind.DELTA, Manifest.fromJson(deltaJson).kind());
            assertValid(manifest, deltaJson, "a delta's manifest");

            new ExportState(pools.a.store().dataSource()).requestFullSync(PRESENCE);
            pools.a.syncNow();
            Path full = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName(A, PRESENCE, before + 2).fileName());
            byte[] fullJson = manifestOf(full);
            assertEquals(Manifest.Kind.FULL, Manifest.fromJson(fullJson).kind());
            assertValid(manifest, fullJson, "a full sync part's manifest");

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitApplied(pools.b, PRESENCE, before + 2);
            // the cookie as write-cookie zipped it into poolA's share: one entry, the envelope, its payload the cookie
            Path file = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/cookie.zip");
            long applied = before + 2;
            TwoPools.await("poolB's cookie acknowledges batch " + applied, () -> Files.exists(file)
                    && CookieFiles.read(pools.a, file).lastAppliedBatch() == applied);
            List<String> names = new ArrayList<>();
            byte[] envelopeJson = null;
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    names.add(e.getName());
                    envelopeJson = in.readAllBytes();
                }
            }
            assertEquals(List.of(Cookie.ENTRY), names, "cookie.zip holds the one entry cookie.json");
            assertValid(envelope, envelopeJson, "a cookie envelope");
            byte[] cookieJson = JSON.readTree(envelopeJson).path("payload").textValue()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(B, JSON.readTree(cookieJson).path("importingPool").asText());
            assertValid(cookie, cookieJson, "a cookie");
        }
    }
}
