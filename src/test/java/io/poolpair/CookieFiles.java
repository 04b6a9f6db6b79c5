package io.poolpair;

import io.poolpair.batch.Cookie;
import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.ProducerTemplate;

/** Cookies in tests: read through the pool's own {@code direct:read-cookie} route; hostile ones made by hand. */
final class CookieFiles {

    private CookieFiles() {
    }

    /** The cookie file as {@code pool} reads it (refused: a CamelExecutionException whose cause says why). */
    static Cookie read(PoolPairRuntime pool, Path file) throws Exception {
        try (ProducerTemplate template = pool.context().createProducerTemplate()) {
            return template.requestBody("direct:read-cookie", file.toFile(), Cookie.class);
        }
    }

    /** A zip of the given entries, in order: what a forger (or an older poolpair) might put in a share. */
    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        return TestZips.zip(entries);
    }
}
