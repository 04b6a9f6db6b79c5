package io.poolpair.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw text of the configuration, layer over layer: the table's defaults ({@link Settings}),
 * {@code <home>/config/application.properties}, the pool's own file, environment variables {@code POOLPAIR_*},
 * system properties {@code poolpair.*} and {@code camel.*}, then overrides (demo, tests). {@code ${key}} refers to
 * another key. A {@code poolpair.*} key the table does not know stops loading, naming the layer it came from and the
 * nearest known key.
 *
 * @param values  every key's effective text (camel.* keys included), in the order first set
 * @param sources where each key's effective value came from ("default", "file F", "environment X", ...)
 */
record ConfigLayers(Map<String, String> values, Map<String, String> sources) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    static ConfigLayers load(Path home, Path poolFile, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.ALL) {
            setting.defaultValue().ifPresent(d -> values.put(setting.name(), d));
            setting.defaultValue().ifPresent(d -> sources.put(setting.name(), "default"));
        }
        Path defaults = home.resolve("config/application.properties");
        if (!Files.isRegularFile(defaults)) {
            throw new ConfigException("default configuration " + defaults + " not found: set -Dpoolpair.home to the"
                    + " folder that holds config/ and routes/");
        }
        put(values, sources, origins, readProperties(defaults), "default", "file " + defaults);
        if (poolFile != null) {
            if (!Files.isRegularFile(poolFile)) {
                throw new ConfigException("configuration file " + poolFile + " not found");
            }
            put(values, sources, origins, readProperties(poolFile), "file " + poolFile, "file " + poolFile);
        }
        Set<String> known = new LinkedHashSet<>(values.keySet());
        Settings.ALL.forEach(s -> known.add(s.name()));
        for (Map.Entry<String, String> env : System.getenv().entrySet()) {
            if (env.getKey().startsWith("POOLPAIR_")) {
                String key = envToKey(env.getKey(), known);
                set(values, sources, origins, key, env.getValue(), "environment " + env.getKey());
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if ((name.startsWith("poolpair.") && !Settings.processProperty(name)) || name.startsWith("camel.")) {
                set(values, sources, origins, name, System.getProperty(name), "system property");
            }
        }
        overrides.forEach((k, v) -> set(values, sources, origins, k, v, "override"));
        values.put(Settings.HOME.name(), home.toAbsolutePath().normalize().toString());
        sources.putIfAbsent(Settings.HOME.name(), "derived");
        for (String key : values.keySet()) {
            if (key.startsWith("poolpair.") && !Settings.known(key)) {
                throw new ConfigException(key + " (" + origins.get(key) + ") is not a configuration key: did you mean "
                        + Settings.nearest(key) + "? (docs/configuration.md lists the keys)");
            }
        }
        resolvePlaceholders(values);
        return new ConfigLayers(Collections.unmodifiableMap(values), Collections.unmodifiableMap(sources));
    }

    private static void put(Map<String, String> values, Map<String, String> sources, Map<String, String> origins,
                            Properties props, String source, String origin) {
        for (String name : props.stringPropertyNames()) {
            set(values, sources, origins, name, props.getProperty(name).trim(), source);
            origins.put(name, origin);
        }
    }

    private static void set(Map<String, String> values, Map<String, String> sources, Map<String, String> origins,
                            String key, String value, String source) {
        values.put(key, value);
        sources.put(key, source);
        origins.put(key, source);
    }

    /** POOLPAIR_SYNC_INTERVAL matches poolpair.sync-interval; unknown names map to dotted lower case. */
    private static String envToKey(String env, Set<String> known) {
        String flat = env.toLowerCase().replace('_', '.');
        for (String key : known) {
            if (key.replace('-', '.').replace('_', '.').equalsIgnoreCase(flat)) {
                return key;
            }
        }
        return flat;
    }

    private static Properties readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        return props;
    }

    private static void resolvePlaceholders(Map<String, String> values) {
        for (int pass = 0; pass < 10; pass++) {
            boolean changed = false;
            for (Map.Entry<String, String> e : values.entrySet()) {
                Matcher m = PLACEHOLDER.matcher(e.getValue());
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    String ref = values.get(m.group(1));
                    m.appendReplacement(sb, Matcher.quoteReplacement(ref != null ? ref : m.group()));
                    changed |= ref != null;
                }
                m.appendTail(sb);
                e.setValue(sb.toString());
            }
            if (!changed) {
                return;
            }
        }
    }
}
