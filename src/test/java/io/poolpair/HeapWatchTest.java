package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.bench.HeapWatch;
import io.poolpair.cli.PoolPairCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's heap watcher around a poolpair command in a child JVM, as the heap measurement runs it: the command
 * (named by its main class, which the bench does not import) runs with its own arguments and exit code, and the
 * peaks are written when the JVM exits. (That bench imports nothing of cli: {@link PackageLayersTest}.)
 */
class HeapWatchTest {

    @TempDir
    Path dir;

    @Test
    void commandUnderHeapWatchKeepsItsExitCodeAndLeavesItsPeakHeap() throws Exception {
        Path peak = dir.resolve("child.peak");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), HeapWatch.class.getName(), peak.toString(),
                PoolPairCommand.class.getName(), "bench", "--only", "warp-speed", "--out", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child JVM ends");
        String output = Files.readString(log);
        assertEquals(2, child.exitValue(), "the command's own exit code (2: bad arguments): " + output);
        assertTrue(output.contains("unknown measurement 'warp-speed'"), "the command saw its own arguments: " + output);
        String[] fields = Files.readString(peak).trim().split(" ");
        assertEquals(3, fields.length, "peak used, peak live and -Xmx: " + String.join(" ", fields));
        assertTrue(Double.parseDouble(fields[0]) > 0, "a heap peak was sampled: " + fields[0]);
        assertEquals("64", fields[2], "the child's -Xmx in MiB");
    }
}
