package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.importer.BatchApplier;
import io.poolpair.importer.BatchVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * Property-based fuzzing of the batch reader (verify, then apply) with random bytes and with mutations of a
 * genuine batch: every input is applied whole or rejected whole, never partly, and nothing but a rejection is
 * thrown.
 */
class BatchReaderFuzzTest {

    private static Path dir;
    private static TwoPools pools;
    private static byte[] genuine;
    private static Path batchFile;

    @BeforeContainer
    static void genuineBatch() throws Exception {
        dir = Files.createTempDirectory("poolpair-fuzz-");
        pools = TwoPools.start(dir);
        pools.b.context().getRouteController().stopRoute("import-batches");
        for (int i = 0; i < 3; i++) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:fuzz" + i + "@example.com");
        }
        pools.a.syncNow();
        batchFile = pools.dataFolder(pools.b, PRESENCE).resolve(new BatchName("poolA", PRESENCE, 1).fileName());
        genuine = Files.readAllBytes(batchFile);
        Files.delete(batchFile);
    }

    @AfterContainer
    static void cleanUp() throws Exception {
        pools.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
        Arbitrary<byte[]> flipped = Combinators.combine(Arbitraries.integers().between(0, genuine.length - 1).list().ofMinSize(1)
                .ofMaxSize(8), Arbitraries.bytes()).as((positions, value) -> {
                    byte[] copy = genuine.clone();
                    for (int p : positions) {
                        copy[p] ^= (byte) (value == 0 ? 1 : value);
                    }
                    return copy;
                });
        Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, genuine.length - 1)
                .map(n -> Arrays.copyOf(genuine, n));
        Arbitrary<byte[]> appended = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(512).map(tail -> {
            byte[] copy = Arrays.copyOf(genuine, genuine.length + tail.length);
            System.arraycopy(tail, 0, copy, genuine.length, tail.length);
            return copy;
        });
        return Arbitraries.oneOf(random, flipped, flipped, truncated, appended, Arbitraries.just(genuine));
    }

    @Property(tries = 300)
    void everyInputIsAppliedWholeOrRejectedWhole(@ForAll("inputs") byte[] input) throws Exception {
        Files.write(batchFile, input);
        Exchange exchange = new DefaultExchange(pools.b.context());
        exchange.getMessage().setBody(batchFile.toFile());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, "UserServices/PresenceFocus/Data/" + batchFile.getFileName());
        BatchVerifier verifier = pools.b.context().getRegistry().lookupByNameAndType("batchVerifier", BatchVerifier.class);
        BatchApplier applier = pools.b.context().getRegistry().lookupByNameAndType("batchApplier", BatchApplier.class);
        boolean applied = false;
        try {
            verifier.verify(exchange);
            applier.apply(batchFile.toFile(), PRESENCE, 1, exchange.getMessage().getHeader(io.poolpair.Headers.VERIFIED_MANIFEST, String.class));
            applied = true;
        } catch (BatchRejectedException rejected) {
            // rejected whole: checked below
        }
        Statistics.collect(applied ? "applied" : "rejected");
        long rows = TwoPools.count(pools.b, "SELECT COUNT(*) FROM user_contact");
        long lastApplied = pools.importState(pools.b, PRESENCE).lastApplied();
        if (applied) {
            assertEquals(3, rows, "an applied batch brings all its rows");
            assertEquals(1, lastApplied);
            reset();
        } else {
            assertEquals(0, rows, "a rejected batch must leave no row behind");
            assertEquals(0, lastApplied);
        }
    }

    /** Undoes an applied batch (capture suppressed) so the next try starts from the same state. */
    private static void reset() throws Exception {
        TwoPools.uncaptured(pools.b, "DELETE FROM user_contact", "DELETE FROM pp_import_log",
                "UPDATE pp_import SET last_applied = 0");
    }
}
