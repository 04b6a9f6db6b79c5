package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Headers} names every header the routes and beans share: the routes (which spell the names, YAML cannot
 * reference a constant) use no header it does not declare, beans use its constants rather than the literal names,
 * and it declares no header that nothing uses.
 */
class HeadersTest {

    private static final Pattern ROUTE_HEADER = Pattern.compile("PoolPair[A-Z][A-Za-z]*");
    private static final Pattern CONSTANT_USE = Pattern.compile("Headers\\.([A-Z_]+)");
    private static final Path ROUTES = Path.of("routes");
    private static final Path SOURCES = Path.of("src/main/java/io/poolpair");
    private static final Path HEADERS_SOURCE = SOURCES.resolve("Headers.java");

    /** Constant name → header name, as declared. */
    static Map<String, String> declared() throws IllegalAccessException {
        Map<String, String> names = new TreeMap<>();
        for (Field f : Headers.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names.put(f.getName(), (String) f.get(null));
            }
        }
        return names;
    }

    static Set<String> matches(Pattern pattern, int group, Stream<Path> files) {
        return files.flatMap(f -> {
            Matcher m = pattern.matcher(read(f));
            return m.results().map(r -> r.group(group));
        }).collect(Collectors.toCollection(TreeSet::new));
    }

    static Stream<Path> routeFiles() throws IOException {
        return Files.list(ROUTES).filter(f -> f.getFileName().toString().endsWith(".camel.yaml"));
    }

    static Stream<Path> beanSources() throws IOException {
        return Files.walk(SOURCES).filter(f -> f.toString().endsWith(".java") && !f.equals(HEADERS_SOURCE));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyHeaderTheRoutesUseIsDeclared() throws Exception {
        Set<String> used;
        try (Stream<Path> files = routeFiles()) {
            used = matches(ROUTE_HEADER, 0, files);
        }
        Set<String> undeclared = new TreeSet<>(used);
        undeclared.removeAll(declared().values());
        assertEquals(Set.of(), undeclared, "headers the routes use that io.poolpair.Headers does not declare");
    }

    @Test
    void everyDeclaredHeaderIsUsedByARouteOrABean() throws Exception {
        Set<String> usedByRoutes;
        try (Stream<Path> files = routeFiles()) {
            usedByRoutes = matches(ROUTE_HEADER, 0, files);
        }
        Set<String> constantsUsed;
        try (Stream<Path> files = beanSources()) {
            constantsUsed = matches(CONSTANT_USE, 1, files);
        }
        Set<String> unused = new TreeSet<>();
        declared().forEach((constant, name) -> {
            if (!usedByRoutes.contains(name) && !constantsUsed.contains(constant)) {
                unused.add(constant + " = " + name);
            }
        });
        assertEquals(Set.of(), unused, "headers io.poolpair.Headers declares that no route and no bean uses");
    }

    @Test
    void beansUseTheConstantsNotTheHeaderNames() throws Exception {
        Set<String> quoted = declared().values().stream().map(n -> "\"" + n + "\"").collect(Collectors.toSet());
        Set<String> offenders = new TreeSet<>();
        try (Stream<Path> files = beanSources()) {
            files.forEach(f -> {
                String text = read(f);
                quoted.stream().filter(text::contains).forEach(q -> offenders.add(SOURCES.relativize(f) + ": " + q));
            });
        }
        assertEquals(Set.of(), offenders, "bean sources spelling a header name instead of using io.poolpair.Headers");
    }
}
