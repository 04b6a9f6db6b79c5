package io.poolpair.content;

import io.poolpair.Headers;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much conference content one export cycle may still ship per module
 * ({@code poolpair.max-dataconf-package-size-kb}). A file larger than the whole allowance travels alone, as
 * the first content of a cycle; what does not fit waits for later cycles.
 */
public final class ContentBudget {

    private static final Logger LOG = LoggerFactory.getLogger(ContentBudget.class);

    private final long perCycle;
    private final Map<String, Long> remaining = new HashMap<>();

    public ContentBudget(long bytesPerCycle) {
        this.perCycle = bytesPerCycle;
    }

    /** Route step at the start of a module's export: a fresh allowance. */
    public synchronized void reset(@Header(Headers.MODULE) String module) {
        remaining.put(module, perCycle);
    }

    /** What becomes of a file in this cycle. */
    public enum Decision { FITS, TRAVELS_ALONE, WAITS }

    /** Takes {@code bytes} from the module's allowance if they fit, or as the cycle's first and only file. */
    public synchronized Decision take(String module, long bytes, String what) {
        long left = remaining.getOrDefault(module, perCycle);
        if (bytes <= left) {
            remaining.put(module, left - bytes);
            return Decision.FITS;
        }
        if (left == perCycle) {
            LOG.warn("{}: {} is {} bytes, larger than poolpair.max-dataconf-package-size-kb ({} bytes): it travels alone"
                    + " in this cycle", module, what, bytes, perCycle);
            remaining.put(module, 0L);
            return Decision.TRAVELS_ALONE;
        }
        return Decision.WAITS;
    }
}
