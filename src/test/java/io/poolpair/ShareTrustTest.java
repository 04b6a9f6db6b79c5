package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Someone who can write into a pool's share is not trusted with what the pool reads from it. */
class ShareTrustTest {

    @TempDir
    Path dir;

    /**
     * Between verification and apply, a share writer replaces the batch with another validly signed one (every batch
     * passes through the share): the pool applies the batch it verified, from its private copy.
     */
    @Test
    void batchSwappedInTheShareAfterVerificationIsNotWhatGetsApplied() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:first@example.com");
            pools.a.syncNow();
            Path data = pools.dataFolder(pools.b, PRESENCE);
            Path first = data.resolve(new BatchName(A, PRESENCE, 1).fileName());
            Path older = dir.resolve("older-valid-batch.zip");
            Files.copy(first, older);
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:second@example.com");
            pools.a.syncNow();

            AtomicBoolean swapped = new AtomicBoolean();
            AdviceWith.adviceWith(pools.b.context(), "import-batches", route -> route.weaveById("verify-batch").after()
                    .process(exchange -> {
                        Path second = data.resolve(new BatchName(A, PRESENCE, 2).fileName());
                        long batch = exchange.getMessage().getHeader("PoolPairBatch", Long.class);
                        if (batch == 2 && swapped.compareAndSet(false, true)) {
                            Files.copy(older, second, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }));
            pools.b.context().getRouteController().startRoute("import-batches");

            pools.awaitApplied(pools.b, PRESENCE, 2);
            assertTrue(swapped.get(), "the share's copy of batch 2 was replaced between verification and apply");
            assertEquals(1, TwoPools.contacts(pools.b, "sip:second@example.com"), "batch 2 as verified was applied");
            assertEquals(0, pools.importState(pools.b, PRESENCE).quarantined());
        }
    }

    /** A folder of the share replaced by a link to a folder elsewhere on the machine: nothing there is touched. */
    @Test
    void linkedFolderInTheShareIsNotFollowed() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path data = pools.dataFolder(pools.b, PRESENCE);
            Path elsewhere = Files.createDirectories(dir.resolve("someone-elses-folder"));
            Path victim = Files.writeString(elsewhere.resolve(new BatchName(A, PRESENCE, 1).fileName()), "not a batch");
            Files.delete(data);
            Files.createSymbolicLink(data, elsewhere);

            // evidence that the import consumer polled the share since: a batch of another module is applied
            TwoPools.exec(pools.a, "INSERT INTO cms_document (doc_id, version, home_pool) VALUES (?, ?, ?)", "doc-1", 1, A);
            pools.a.syncNow();
            pools.awaitApplied(pools.b, CMS, 1);
            pools.b.syncNow();
            assertTrue(Files.exists(victim), "the file behind the link was left where it is");
            assertEquals(0, pools.importState(pools.b, PRESENCE).quarantined());
        }
    }
}
