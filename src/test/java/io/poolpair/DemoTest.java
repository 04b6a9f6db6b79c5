package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.demo.Demo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

    @TempDir
    Path dir;

    @Test
    void demoReplicatesBothPoolsOnTheScheduleAndReportsMatchingCopies() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        boolean match = new Demo(dir, 2, "PT5S", Duration.ofSeconds(60), true, out).run();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(match, text);
        assertTrue(text.contains("RESULT: the copies match on both pools"), text);
        assertTrue(text.contains("user_contact rows homed on poolB"), text);
        assertTrue(Files.exists(dir.resolve("poolA.properties")), "--dir keeps the pools' files");
    }
}
