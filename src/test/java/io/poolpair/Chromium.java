package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium ({@code apt-get install chromium}), run once per page: {@code --dump-dom} for the
 * DOM after the page's scripts ran, {@code --screenshot} for a PNG. Tests skip with a message without it.
 */
final class Chromium {

    private final Path binary;
    private final Path profiles;

    private Chromium(Path binary, Path profiles) {
        this.binary = binary;
        this.profiles = profiles;
    }

    static Chromium find(Path tempDir) {
        for (String candidate : new String[] {System.getProperty("poolpair.chromium", ""), "/usr/bin/chromium",
                "/usr/bin/chromium-browser"}) {
            if (!candidate.isEmpty() && Files.isExecutable(Path.of(candidate))) {
                return new Chromium(Path.of(candidate), tempDir);
            }
        }
        RequiredServer.missing("chromium not found (apt-get install chromium, or -Dpoolpair.chromium=/path/to/chromium):"
                + " the status page test needs a real browser");
        return null;
    }

    /** The page's DOM once its scripts have run (5 s of virtual time). */
    String dumpDom(String url) throws Exception {
        return new String(run(url, "--dump-dom"), StandardCharsets.UTF_8);
    }

    /** A screenshot of the page, {@code width}x{@code height}, as PNG bytes written to {@code png}. */
    byte[] screenshot(String url, Path png, int width, int height) throws Exception {
        run(url, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars");
        assertTrue(Files.exists(png), "chromium wrote no screenshot to " + png);
        return Files.readAllBytes(png);
    }

    private byte[] run(String url, String... mode) throws Exception {
        Path profile = Files.createTempDirectory(profiles, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        command.addAll(List.of(mode));
        command.add(url);
        Path err = profile.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish in 90 s: " + command);
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(err));
        return out;
    }
}
