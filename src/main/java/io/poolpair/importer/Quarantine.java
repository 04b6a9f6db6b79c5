package io.poolpair.importer;

import io.poolpair.state.ImportState;
import io.poolpair.Headers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import io.poolpair.metrics.PoolPairMetrics;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a rejected file out of the share into the quarantine folder, with a {@code .reason} file beside it,
 * and records the rejection for status. The rest of the share keeps flowing.
 */
public final class Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Path folder;
    private final ImportState state;
    private final PoolPairMetrics metrics;

    public Quarantine(Path folder, ImportState state, PoolPairMetrics metrics) {
        this.folder = folder;
        this.state = state;
        this.metrics = metrics;
    }

    /** Returns where the file now lies, as text (for the file-quarantined hook). */
    public String isolate(Exchange exchange) throws Exception {
        // the share's file when a private copy of it was taken (the copy goes), else the file as consumed
        File copy = exchange.getMessage().getBody(File.class);
        File file = exchange.getMessage().getHeader(Headers.SHARE_FILE, copy, File.class);
        if (copy != null && !copy.equals(file)) {
            Files.deleteIfExists(copy.toPath());
        }
        String relative = exchange.getMessage().getHeader(Exchange.FILE_NAME, file.getName(), String.class);
        String module = exchange.getMessage().getHeader(Headers.MODULE, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "rejected" : cause.getMessage();

        Instant now = Instant.now();
        Path dir = folder.resolve(module == null ? "unknown-module" : module);
        Files.createDirectories(dir);
        Path target = dir.resolve(STAMP.format(now) + "-" + file.getName());
        Files.move(file.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(target.resolveSibling(target.getFileName() + ".reason"),
                "file: " + relative + "\nquarantined-at: " + now + "\nreason: " + reason + "\n", StandardCharsets.UTF_8);
        LOG.error("quarantined {} as {}: {}", relative, target, reason);
        metrics.fileQuarantined(module);
        if (module != null) {
            state.recordError(module, "quarantined " + file.getName() + ": " + reason, true);
            Long batch = exchange.getMessage().getHeader(Headers.BATCH, Long.class);
            String incarnation = exchange.getMessage().getHeader(Headers.REFUSED_INCARNATION, String.class);
            if (incurable(cause) && batch != null && incarnation != null) {
                // a re-sent copy would be rejected alike: the cookie tells the sender, which stops re-sending it
                state.recordRefusal(module, batch, incarnation, reason);
            }
        }
        return target.toString();
    }

    private static boolean incurable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.poolpair.batch.BatchRejectedException rejected) {
                return rejected.incurable();
            }
        }
        return false;
    }
}
