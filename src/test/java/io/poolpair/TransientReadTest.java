package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.poolpair.batch.Manifest;
import io.poolpair.importer.BatchVerifier;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share that fails to deliver a good batch's bytes for a while (an I/O error while reading it) does not get
 * the batch quarantined: the import fails, says so, and the next poll reads and applies it. Only what is wrong
 * in the file itself is quarantined.
 */
class TransientReadTest {

    @TempDir
    Path dir;

    /** A zip on a faulty share: the first reads of each kind of entry fail with EIO, as a flaky NAS would. */
    static final class FaultyShareZip extends ZipFile {
        private final AtomicInteger manifestFaults;
        private final AtomicInteger entryFaults;

        FaultyShareZip(File file, AtomicInteger manifestFaults, AtomicInteger entryFaults) throws IOException {
            super(file);
            this.manifestFaults = manifestFaults;
            this.entryFaults = entryFaults;
        }

        @Override
        public InputStream getInputStream(ZipEntry entry) throws IOException {
            InputStream in = super.getInputStream(entry);
            AtomicInteger faults = entry.getName().equals(Manifest.FILE) ? manifestFaults : entryFaults;
            if (entry.getName().equals(Manifest.SIGNATURE) || faults.get() <= 0) {
                return in;
            }
            faults.decrementAndGet();
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    throw new IOException("Input/output error");
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    throw new IOException("Input/output error");
                }
            };
        }
    }

    @Test
    void ioErrorReadingAGoodBatchIsRetriedNotQuarantined() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:flaky-share@example.com");
            pools.a.syncNow();

            // two polls fail reading the manifest, two more reading the rows, then the share recovers
            AtomicInteger manifestFaults = new AtomicInteger(2);
            AtomicInteger entryFaults = new AtomicInteger(2);
            BatchVerifier verifier = pools.b.context().getRegistry().lookupByNameAndType("batchVerifier", BatchVerifier.class);
            verifier.openZipsWith(file -> new FaultyShareZip(file, manifestFaults, entryFaults));
            pools.b.context().getRouteController().startRoute("import-batches");

            pools.awaitApplied(pools.b, PRESENCE, 1);
            assertEquals(0, manifestFaults.get(), "the reads of the manifest failed twice first");
            assertEquals(0, entryFaults.get(), "the reads of the rows failed twice first");
            assertEquals(0, pools.importState(pools.b, PRESENCE).quarantined(), "a good batch was quarantined");
            assertEquals(1, TwoPools.contacts(pools.b, "sip:flaky-share@example.com"));
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertNull(pools.importState(pools.b, PRESENCE).lastError());
        }
    }
}
