package io.poolpair.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the configuration: one table of keys, parsed once, typos stopped with the nearest key. */
class PoolConfigTest {

    private static final Path HOME = PoolConfig.locateHome();

    @TempDir
    Path dir;

    private Path poolFile;
    private String key;

    @BeforeEach
    void writePoolFile() throws Exception {
        Files.createDirectories(dir.resolve("shareA"));
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        key = HexFormat.of().formatHex(random);
        poolFile = dir.resolve("poolA.properties");
        write(poolFile, Map.of("poolpair.pool", "poolA", "poolpair.peer", "poolB",
                "poolpair.share.local", dir.resolve("shareA").toString(), "poolpair.share.peer", dir.resolve("shareB").toString(),
                "poolpair.data-dir", dir.resolve("data").toString(), "poolpair.key", key));
    }

    private static void write(Path file, Map<String, String> settings) throws Exception {
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append(" = ").append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text);
    }

    private PoolConfig load(Map<String, String> overrides) {
        return PoolConfig.load(HOME, poolFile, overrides);
    }

    private String loadError(Map<String, String> overrides) {
        return assertThrows(ConfigException.class, () -> load(overrides)).getMessage();
    }

    @Test
    void typoInThePoolFileStopsLoadNamingTheFileAndTheNearestKey() throws Exception {
        Files.writeString(poolFile, "poolpair.sync-intervall = PT1M\n", java.nio.file.StandardOpenOption.APPEND);
        String message = assertThrows(ConfigException.class, () -> load(Map.of())).getMessage();
        assertEquals("poolpair.sync-intervall (file " + poolFile + ") is not a configuration key: did you mean"
                + " poolpair.sync-interval? (docs/configuration.md lists the keys)", message);
    }

    @Test
    void typoInASystemPropertyStopsLoadNamingTheLayer() {
        System.setProperty("poolpair.http.prot", "8081");
        try {
            String message = loadError(Map.of());
            assertTrue(message.startsWith("poolpair.http.prot (system property) is not a configuration key: did you mean"
                    + " poolpair.http.port?"), message);
        } finally {
            System.clearProperty("poolpair.http.prot");
        }
    }

    @Test
    void typoInAModuleKeyNamesTheNearestKeyOfThatModule() {
        String message = loadError(Map.of("poolpair.module.CentralMgmt.CMSMaster.owner-colum", "home_pool"));
        assertTrue(message.startsWith("poolpair.module.CentralMgmt.CMSMaster.owner-colum (override) is not a"
                + " configuration key: did you mean poolpair.module.CentralMgmt.CMSMaster.owner-column?"), message);
    }

    @Test
    void everyBooleanKeyRefusesAnythingButTrueOrFalse() {
        List<String> booleans = Settings.ALL.stream().filter(s -> s.type().startsWith("boolean")).map(Setting::name).toList();
        assertTrue(booleans.contains("poolpair.http.enabled") && booleans.contains("poolpair.export.on-schedule"), booleans.toString());
        for (String key : booleans) {
            for (String loose : List.of("yes", "TRUE", "1")) {
                assertEquals(key + " = " + loose + ": use true or false", loadError(Map.of(key, loose)));
            }
        }
    }

    @Test
    void defaultsComeFromTheTableAlone() throws Exception {
        PoolConfig config = load(Map.of());
        assertEquals(1L << 30, config.maxBatchBytes());
        assertEquals("default", config.source("poolpair.import.max-batch-bytes"));
        Properties shipped = new Properties();
        try (Reader reader = Files.newBufferedReader(HOME.resolve("config/application.properties"), StandardCharsets.UTF_8)) {
            shipped.load(reader);
        }
        for (String name : shipped.stringPropertyNames()) {
            Stream.concat(Settings.ALL.stream(), Settings.MODULE_SETTINGS.stream()).filter(s -> s.name().equals(name))
                    .forEach(s -> assertTrue(s.defaultValue().isEmpty(), name + " has its default in the table (Settings)"
                            + " and is set again in config/application.properties: keep it in one place"));
            assertFalse(name.startsWith("poolpair.") && !Settings.known(name), name + " is not a key of the table");
        }
    }

    @Test
    void keyFileIsReadOnceAtLoad() throws Exception {
        Path keyFile = dir.resolve("pair.key");
        Files.writeString(keyFile, key + "\n");
        PoolConfig config = load(Map.of("poolpair.key", "", "poolpair.key-file", keyFile.toString()));
        Files.delete(keyFile);
        assertEquals(key, new String(config.key(), StandardCharsets.UTF_8));
        assertEquals(keyFile, config.keyFile().orElseThrow());
    }

    @Test
    void unreadableKeyFileIsRefusedNamingItAndKeygen() {
        Path missing = dir.resolve("missing.key");
        String message = loadError(Map.of("poolpair.key", "", "poolpair.key-file", missing.toString()));
        assertTrue(message.startsWith("poolpair.key-file = " + missing + ": cannot read it ("), message);
        assertTrue(message.contains("poolpair keygen <file>"), message);
    }

    @Test
    void modulesAreParsedOnceAtLoad() {
        PoolConfig config = load(Map.of());
        assertSame(config.modules(), config.modules());
        assertSame(config.module("CentralMgmt.CMSMaster"), config.modules().get(1));
        assertEquals(List.of("user_contact", "conference_directory", "user_setting"),
                config.module("UserServices.PresenceFocus").tables());
        assertEquals("size_bytes", config.contentSizeColumn("ConfServices.DataConf").orElseThrow());
    }

    @Test
    void shippedExamplesLoad() throws Exception {
        Map<String, String> local = new LinkedHashMap<>();
        local.put("poolpair.key", key);
        local.put("poolpair.share.local", dir.resolve("shareA").toString());
        local.put("poolpair.data-dir", dir.resolve("data").toString());
        List<Path> examples;
        try (Stream<Path> files = Files.walk(HOME.resolve("config/examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".properties")).sorted().toList();
        }
        assertEquals(4, examples.size(), examples.toString());
        for (Path example : examples) {
            PoolConfig config = PoolConfig.load(HOME, example, local);
            assertTrue(config.pool().equals("poolA") || config.pool().equals("poolB"), example.toString());
        }
    }

    @Test
    void encryptionIsOnByDefaultForARemotePeerShareOnly() {
        assertFalse(load(Map.of()).encrypt());
        assertTrue(load(Map.of("poolpair.share.peer", "smb://fileserver:445/poolB-share?username=poolA&password=x")).encrypt());
        assertFalse(load(Map.of("poolpair.share.peer", "file:" + dir.resolve("shareB"))).encrypt());
        assertFalse(load(Map.of("poolpair.share.peer", "smb://fileserver:445/poolB-share?username=poolA&password=x",
                "poolpair.encrypt", "false")).encrypt());
    }

    @Test
    void numberSetToNothingTakesItsDefault() {
        PoolConfig config = load(Map.of("poolpair.datasource.pool-size", "", "poolpair.import.max-batch-bytes", " "));
        assertEquals(8, config.datasourcePoolSize());
        assertEquals(1L << 30, config.maxBatchBytes());
        assertEquals("poolpair.sync-interval is missing", loadError(Map.of("poolpair.sync-interval", "")));
    }
}
