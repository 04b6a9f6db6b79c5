package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Packages under the command line never import it: the bench (it names the command's main class instead) and the
 * operator workflows (the commands hand them what they need).
 */
class PackageLayersTest {

    private static List<String> importersOfCli(String pkg) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/poolpair", pkg))) {
            return files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("import io.poolpair.cli.");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void benchImportsNothingOfTheCommandLine() throws Exception {
        assertEquals(List.of(), importersOfCli("bench"), "bench sits under cli: it must not import it");
    }

    @Test
    void workflowsImportNothingOfTheCommandLine() throws Exception {
        assertEquals(List.of(), importersOfCli("workflow"), "workflow sits under cli: it must not import it");
    }
}
