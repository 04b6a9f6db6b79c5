package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.poolpair.runtime.PoolPairRuntime;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A table keyed by a binary column (PostgreSQL {@code bytea}, H2 {@code VARBINARY}): inserts, updates and
 * deletes replicate both ways. The captured key of a delete travels in the batch as it is, so it must use the
 * format the receiver decodes (base64), whatever database captured it.
 */
class BinaryKeyTest {

    private static final String BLOBS = "Test.Blobs";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"POSTGRES-POSTGRES", "POSTGRES-H2", "H2-H2"})
    void binaryPrimaryKeyReplicatesInsertUpdateDeleteBothWays(String stores) throws Exception {
        StoreKind[] kinds = StoreKind.pair(stores);
        Map<String, String> modules = Map.of("poolpair.modules", BLOBS, "poolpair.module." + BLOBS + ".tables", "blob_keyed",
                "poolpair.module." + BLOBS + ".owner-pool", A);
        try (TwoPools pools = TwoPools.start(dir, modules, kinds[0].pool(A, "constraints"), kinds[1].pool(B, "constraints"))) {
            insert(pools.a, new byte[] {1, (byte) 0xff, 0}, "a1");
            insert(pools.a, new byte[] {1, 2}, "a2");
            insert(pools.b, new byte[] {2, (byte) 0x80}, "b1");
            insert(pools.b, new byte[] {2, 3, 4}, "b2");
            pools.syncUntilSettled();
            assertEquals(4, TwoPools.count(pools.a, "SELECT COUNT(*) FROM blob_keyed"));
            assertEquals(4, TwoPools.count(pools.b, "SELECT COUNT(*) FROM blob_keyed"));

            TwoPools.exec(pools.a, "UPDATE blob_keyed SET label = 'a1 updated' WHERE k = ?", (Object) new byte[] {1, (byte) 0xff, 0});
            TwoPools.exec(pools.a, "DELETE FROM blob_keyed WHERE k = ?", (Object) new byte[] {1, 2});
            TwoPools.exec(pools.b, "UPDATE blob_keyed SET label = 'b1 updated' WHERE k = ?", (Object) new byte[] {2, (byte) 0x80});
            TwoPools.exec(pools.b, "DELETE FROM blob_keyed WHERE k = ?", (Object) new byte[] {2, 3, 4});
            pools.syncUntilSettled();

            for (PoolPairRuntime pool : new PoolPairRuntime[] {pools.a, pools.b}) {
                assertEquals(2, TwoPools.count(pool, "SELECT COUNT(*) FROM blob_keyed"), pool.config().pool());
                assertEquals(1, TwoPools.count(pool, "SELECT COUNT(*) FROM blob_keyed WHERE label = 'a1 updated'"));
                assertEquals(1, TwoPools.count(pool, "SELECT COUNT(*) FROM blob_keyed WHERE label = 'b1 updated'"));
                assertEquals(0, pools.importState(pool, BLOBS).quarantined(), pool.config().pool() + " quarantined a batch");
                assertNull(pools.importState(pool, BLOBS).lastError());
            }
            pools.assertCopiesEqual();
        }
    }

    private static void insert(PoolPairRuntime pool, byte[] key, String label) throws Exception {
        TwoPools.exec(pool, "INSERT INTO blob_keyed (k, label) VALUES (?, ?)", key, label);
    }
}
