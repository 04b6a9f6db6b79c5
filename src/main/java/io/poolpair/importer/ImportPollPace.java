package io.poolpair.importer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultPollingConsumerPollStrategy;

/**
 * Paces the import consumer, which polls greedily (the next poll starts at once after a poll that took a file): a
 * backlog the exporter publishes while a batch applies is applied back to back, without a poll delay between
 * batches. A greedy poll that consumed no batch (every file it took failed, waited or was quarantined) ends the
 * run, so a batch that keeps failing is retried once a {@code poolpair.import.poll-delay}, not in a tight loop.
 */
public final class ImportPollPace extends DefaultPollingConsumerPollStrategy {

    private final AtomicLong consumed = new AtomicLong();
    private final AtomicBoolean greedyAfterNoProgress = new AtomicBoolean();
    private long consumedAtBegin;

    /** Called by the import route for each batch applied or skipped as a duplicate (its file removed from the share). */
    public void batchConsumed() {
        consumed.incrementAndGet();
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (greedyAfterNoProgress.getAndSet(false)) {
            return false;
        }
        consumedAtBegin = consumed.get();
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        // Camel polls again at once after a poll that took a file: allowed only when a batch was consumed
        greedyAfterNoProgress.set(polledMessages > 0 && consumed.get() == consumedAtBegin);
    }
}
