package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.importer.BatchVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier reads each row entry once, checking its rows while it hashes it: a row entry damaged on its way (its
 * bytes no longer those the manifest signs for) is a damaged copy, which a re-sent copy cures, even when the damage
 * also breaks its rows. Only a row problem in the signed bytes is refused for good (the sender is told to stop
 * re-sending it).
 */
class DamagedCopyTest {

    @TempDir
    Path dir;

    @Test
    void rowEntryDamagedAfterSigningIsRejectedAsADamagedCopyNotRefusedForGood() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:bob@example.com");
            pools.a.syncNow();
            String fileName = new BatchName("poolA", PRESENCE, 1).fileName();
            Path batch = pools.dataFolder(pools.b, PRESENCE).resolve(fileName);
            Map<String, byte[]> entries = TestZips.read(Files.readAllBytes(batch));
            String upserts = "data/user_contact.upsert.ndjson";
            // as long as the signed entry, and no longer JSON
            byte[] damaged = new String(entries.get(upserts), StandardCharsets.UTF_8).replace('{', '#')
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals(entries.get(upserts).length, damaged.length);
            entries.put(upserts, damaged);
            Path copy = dir.resolve(fileName);
            Files.write(copy, TestZips.zip(entries));

            BatchVerifier verifier = pools.b.context().getRegistry().lookupByNameAndType("batchVerifier", BatchVerifier.class);
            BatchRejectedException e = assertThrows(BatchRejectedException.class,
                    () -> verifier.checkIncoming(copy, PRESENCE, fileName));
            assertTrue(e.getMessage().contains(upserts + " does not match the size and sha256 in the manifest"), e.getMessage());
            assertFalse(e.incurable(), "a damaged copy is not what the sender signed: a re-sent copy may pass");
        }
    }
}
