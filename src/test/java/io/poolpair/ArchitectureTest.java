package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering of docs/architecture.md, checked on the sources: every reference from one package of
 * {@code io.poolpair} to another (an import or a qualified name) points down the layers, so no two packages depend on
 * each other. A failure names the file and the reference that breaks the rule.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/io/poolpair");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.poolpair\\.([a-z][a-z0-9]*)\\.");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FAILOVER_USE = Pattern.compile(
            "io\\.poolpair\\.(failover\\.[A-Z]\\w*|state\\.(FailoverState|FailoverKeys))");
    private static final int LONG_CLASS = 300;
    /** The sentence a long class opens with, so a reader knows why it was not split. */
    static final String WHY_ONE_CLASS = "One class over 300 lines because";

    /**
     * The layers, bottom first; a package may use its own layer's packages only as the order within a layer says
     * (earlier ones are lower). The root package ({@code Headers}) sits below them all.
     */
    static final List<List<String>> LAYERS = List.of(
            List.of("metrics"),
            List.of("config"),
            List.of("batch"),
            List.of("state"),
            List.of("store"),
            List.of("share"),
            List.of("content", "failover", "importer", "exporter", "ack", "verify"),
            List.of("status"),
            List.of("runtime"),
            List.of("workflow"),
            List.of("demo", "bench", "cli"));

    @Test
    void everyPackageReferencePointsDown() throws IOException {
        Map<String, Integer> rank = ranks();
        List<String> wrong = new ArrayList<>();
        for (Path file : javaFiles()) {
            String from = packageOf(file);
            if (from.isEmpty()) {
                continue;
            }
            if (!rank.containsKey(from)) {
                wrong.add(from + ": package not placed in ArchitectureTest.LAYERS (and docs/architecture.md)");
                continue;
            }
            for (String to : references(file)) {
                if (!to.equals(from) && rank.containsKey(to) && rank.get(to) >= rank.get(from)) {
                    wrong.add(SOURCES.relativize(file) + " (" + from + ") uses " + to + ", which is not below it");
                }
            }
        }
        assertEquals(List.of(), wrong, "references that point up or sideways");
    }

    @Test
    void noTwoPackagesUseEachOther() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : javaFiles()) {
            String from = packageOf(file);
            for (String to : references(file)) {
                if (!to.equals(from) && !from.isEmpty()) {
                    uses.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                }
            }
        }
        Set<String> cycles = new TreeSet<>();
        uses.forEach((from, targets) -> targets.forEach(to -> {
            if (uses.getOrDefault(to, Set.of()).contains(from)) {
                cycles.add(from.compareTo(to) < 0 ? from + " <-> " + to : to + " <-> " + from);
            }
        }));
        assertEquals(Set.of(), cycles, "packages that use each other");
    }

    @Test
    void failoverEntersThePipelineThroughOneSeam() throws IOException {
        Set<String> allowed = Set.of("io.poolpair.failover.FailoverSeam", "io.poolpair.failover.ConflictCheck");
        List<String> wrong = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            if (!pkg.equals("exporter") && !pkg.equals("importer")) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                Matcher m = FAILOVER_USE.matcher(line);
                while (m.find()) {
                    if (!allowed.contains(m.group())) {
                        wrong.add(SOURCES.relativize(file) + " uses " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "the pipeline reaches failover only through FailoverSeam (and the ConflictCheck it"
                + " hands out)");
    }

    @Test
    void longClassesSayWhyTheyAreOne() throws IOException {
        List<String> unexplained = new ArrayList<>();
        for (Path file : javaFiles()) {
            List<String> lines = Files.readAllLines(file);
            if (lines.size() > LONG_CLASS) {
                String head = String.join("\n", lines.subList(0, Math.min(lines.size(), 80)));
                if (!head.contains(WHY_ONE_CLASS)) {
                    unexplained.add(SOURCES.relativize(file) + " (" + lines.size() + " lines)");
                }
            }
        }
        assertEquals(List.of(), unexplained, "classes over " + LONG_CLASS + " lines whose comment does not say \""
                + WHY_ONE_CLASS + " ...\"");
    }

    private static Map<String, Integer> ranks() {
        Map<String, Integer> rank = new TreeMap<>();
        int r = 0;
        for (List<String> layer : LAYERS) {
            for (String pkg : layer) {
                rank.put(pkg, r++);
            }
        }
        return rank;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The first-level package under io.poolpair ("" for the root package). */
    private static String packageOf(Path file) {
        Path relative = SOURCES.relativize(file);
        return relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
    }

    /**
     * The first-level packages a file's code names: imports and qualified names, not its package line, comments or
     * string literals (a class named in a string, such as a main class started in a child JVM, is not a dependency).
     */
    private static Set<String> references(Path file) throws IOException {
        Set<String> found = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            String code = line.strip();
            if (code.startsWith("package ") || code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                continue;
            }
            Matcher m = REFERENCE.matcher(STRING.matcher(line).replaceAll("\"\""));
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }
}
