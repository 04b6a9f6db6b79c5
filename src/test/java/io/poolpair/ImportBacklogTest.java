package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import consumer after a poll: one that consumed a batch is followed at once by the next (a backlog published
 * while a batch applies is applied back to back), one that consumed none waits for the poll delay. The tests run the
 * consumer's polls themselves (its scheduler is not started), so each run of the consumer is one scheduled poll.
 */
class ImportBacklogTest {

    private static final Duration RUN_ENDS = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void batchPublishedWhileTheOneBeforeItAppliesIsAppliedInTheSamePoll() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:second@example.com");
            pools.a.syncNow();
            Path data = pools.dataFolder(pools.b, PRESENCE);
            Path second = data.resolve(new BatchName(A, PRESENCE, 2).fileName());
            Path held = Files.move(second, dir.resolve("published-later.zip"));

            // batch 2 reaches the share while batch 1 applies, as the exporter publishes it while staging goes on
            ScheduledPollConsumer consumer = pollsRunByTheTest(pools, route -> route.weaveById("apply-batch").after()
                    .process(exchange -> {
                        if (exchange.getMessage().getHeader("PoolPairBatch", Long.class) == 1) {
                            Files.move(held, second, StandardCopyOption.ATOMIC_MOVE);
                        }
                    }));

            assertTimeoutPreemptively(RUN_ENDS, consumer::run);
            assertEquals(2, pools.importState(pools.b, PRESENCE).lastApplied(), "batch 2 waited for another poll");
            assertEquals(1, TwoPools.contacts(pools.b, "sip:second@example.com"));
            assertTrue(Files.notExists(second), "batch 2 was consumed from the share");
        }
    }

    @Test
    void batchThatFailsToApplyIsRetriedAtTheNextPollNotAtOnce() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            // poolB's table refuses the row: the apply fails with a database error, so the batch stays to be retried
            TwoPools.exec(pools.b, "ALTER TABLE user_contact ADD CONSTRAINT refuse_one_contact"
                    + " CHECK (contact_uri <> 'sip:refused@example.com')");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:refused@example.com");
            pools.a.syncNow();
            Path batch1 = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName(A, PRESENCE, 1).fileName());

            AtomicInteger failures = new AtomicInteger();
            ScheduledPollConsumer consumer = pollsRunByTheTest(pools, route -> route.weaveById("record-import-failure")
                    .before().process(exchange -> failures.incrementAndGet()));

            // a run that polled greedily after a failure would retry the batch for as long as it fails: it never ends
            assertTimeoutPreemptively(RUN_ENDS, consumer::run);
            assertEquals(1, failures.get(), "one poll, one attempt");
            assertTimeoutPreemptively(RUN_ENDS, consumer::run);
            assertEquals(2, failures.get(), "the next poll retries the batch");
            assertEquals(0, pools.importState(pools.b, PRESENCE).lastApplied());
            assertTrue(Files.exists(batch1), "the batch that failed stays in the share to be retried");
        }
    }

    /** Advises the stopped import route, restarts it with its scheduler off, and returns its consumer. */
    private static ScheduledPollConsumer pollsRunByTheTest(TwoPools pools,
            ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        String uri = pools.b.context().getRoute("import-batches").getEndpoint().getEndpointUri();
        AdviceWith.adviceWith(pools.b.context(), "import-batches", route -> {
            route.replaceFromWith(uri + "&startScheduler=false");
            advice.accept(route);
        });
        pools.b.context().getRouteController().startRoute("import-batches");
        return (ScheduledPollConsumer) pools.b.context().getRoute("import-batches").getConsumer();
    }
}
