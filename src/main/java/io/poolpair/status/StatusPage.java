package io.poolpair.status;

import io.poolpair.config.PoolConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page ({@code GET /poolpair/status.html}): a static HTML page with a script that polls
 * {@code /poolpair/status} and {@code /poolpair/status/history} and draws the recovery-point chart as inline
 * SVG. No external resources. The page's refresh interval and chart span come from the configuration.
 */
public final class StatusPage {

    private static final String RESOURCE = "/io/poolpair/status/status.html";

    private final String html;

    public StatusPage(PoolConfig config) {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@POOL@", config.pool())
                    .replace("@PEER@", config.peer())
                    .replace("@REFRESH_MS@", Long.toString(config.statusPageRefresh().toMillis()))
                    .replace("@HISTORY_SECONDS@", Long.toString(config.statusHistory().toSeconds()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String html() {
        return html;
    }
}
