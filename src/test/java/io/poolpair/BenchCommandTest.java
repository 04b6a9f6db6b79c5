package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench command on a small size, through the real command line: it measures, prints the table and one
 * machine-readable line per target, writes bench.md and bench.png, and refuses unknown names. The measured
 * values are not asserted (they depend on the machine); only that they are there and well-formed.
 */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void quickBenchOfTheFullCopyOnH2PrintsRatioLinesAndWritesTableAndChart() throws Exception {
        TwoPools.CommandResult result = TwoPools.cli("bench", "--quick", "--runs", "1", "--only", "store-size,full-copy",
                "--stores", "h2", "--out", dir.toString());
        assertTrue(result.exit() == 0 || result.exit() == 1, "exit 0 (targets met) or 1 (one missed): " + result);
        List<String> ratios = result.out().lines().filter(l -> l.startsWith("RATIO ")).toList();
        for (String name : List.of("store-100k/store-10k@h2", "fullcopy/delta@h2", "fullcopy-bytes/delta-bytes@h2")) {
            String line = ratios.stream().filter(l -> l.startsWith("RATIO " + name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RATIO line for " + name + " in:\n" + result.out()));
            assertTrue(line.matches("RATIO \\S+ \\d+(\\.\\d+)?"), "machine-readable: " + line);
        }
        String table = Files.readString(dir.resolve("bench.md"));
        assertTrue(table.contains("| 1 % of 100,000 rows changed: full copy (NDJSON export + import) | s |"), table);
        assertTrue(result.out().contains(table.lines().findFirst().orElseThrow()), "the table is printed too");
        byte[] png = Files.readAllBytes(dir.resolve("bench.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "bench.png is a PNG");
    }

    @Test
    void unknownMeasurementIsRefusedWithItsName() {
        TwoPools.CommandResult result = TwoPools.cli("bench", "--only", "warp-speed", "--out", dir.toString());
        assertEquals(2, result.exit());
        assertTrue(result.err().contains("unknown measurement 'warp-speed'"), result.err());
    }
}
