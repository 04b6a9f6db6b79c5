package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages under the routes point down (docs/architecture.md): state/ (poolpair's tables) and metrics/ sit
 * below every route bean, store/ below its dialects, and only the packages above the route beans read status/.
 * Read from the sources' import lines and fully qualified names.
 */
class StateLayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/io/poolpair");
    private static final Pattern REFERENCE = Pattern.compile("io\\.poolpair\\.([a-z]+(?:\\.[a-z0-9]+)*)\\.[A-Z]");

    /** The poolpair packages each package refers to (other than itself), by source. */
    private static Map<String, Set<String>> references() throws IOException {
        Map<String, Set<String>> refs = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path folder = SOURCES.relativize(file.getParent());
                String pkg = folder.toString().isEmpty() ? "" : folder.toString().replace('/', '.');
                Set<String> mine = refs.computeIfAbsent(pkg, p -> new TreeSet<>());
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("package ") || line.trim().startsWith("*") || line.trim().startsWith("//")) {
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(line);
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            mine.add(m.group(1));
                        }
                    }
                }
            }
        }
        return refs;
    }

    @Test
    void stateMetricsAndStoreReferOnlyToPackagesBelowThem() throws IOException {
        Map<String, Set<String>> refs = references();
        Map<String, Set<String>> allowed = Map.of(
                "metrics", Set.of(),
                "state", Set.of("config", "batch"),
                "store", Set.of("config", "state"),
                "store.h2", Set.of("store"),
                "store.postgresql", Set.of("store"));
        Map<String, Set<String>> beyond = new TreeMap<>();
        allowed.forEach((pkg, ok) -> {
            Set<String> extra = new TreeSet<>(refs.getOrDefault(pkg, Set.of()));
            extra.removeAll(ok);
            if (!extra.isEmpty()) {
                beyond.put(pkg, extra);
            }
        });
        assertEquals(Map.of(), beyond, "packages referring to packages above them");
    }

    @Test
    void noRouteBeanOrLowerPackageReadsStatus() throws IOException {
        Set<String> above = Set.of("status", "runtime", "cli", "bench", "demo");
        Set<String> readers = new TreeSet<>();
        references().forEach((pkg, refs) -> {
            if (refs.contains("status") && !above.contains(pkg)) {
                readers.add(pkg);
            }
        });
        assertEquals(Set.of(), readers, "packages below status/ that refer to it");
    }

    @Test
    void statusRefersOnlyToPackagesBelowIt() throws IOException {
        Set<String> extra = new TreeSet<>(references().getOrDefault("status", Set.of()));
        extra.removeAll(Set.of("config", "batch", "state", "store", "share", "metrics", "failover"));
        assertEquals(Set.of(), extra, "status/ refers to packages at or above it");
    }
}
