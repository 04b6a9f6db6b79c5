package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolpair.status.StatusSampling;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A status sample reads the sender's whole backlog, so the acknowledgements of a backlog do not each take one: while
 * batches are unacknowledged or changes pending, a module is sampled at most once per poolpair.status.page-refresh;
 * the acknowledgement that leaves the pair caught up is always sampled, so history and gauges end exact.
 */
class AcknowledgementSamplingTest {

    @TempDir
    Path dir;

    @Test
    void acknowledgementsOfABacklogAreSampledOncePerPageRefreshAndAlwaysWhenCaughtUp() throws Exception {
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"), Map.of("poolpair.max-changes-per-batch", "1",
                "poolpair.status.page-refresh", "PT1H"))) {
            StatusSampling sampling = pools.a.context().getRegistry().lookupByNameAndType("statusSampling", StatusSampling.class);
            pools.b.context().getRouteController().stopRoute("import-batches");
            for (int i = 1; i <= 6; i++) {
                TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:sample" + i + "@example.com");
            }
            pools.a.syncNow();
            assertEquals(6, pools.exportState(pools.a, PRESENCE).publishedBatch());
            MeterRegistry meters = pools.a.context().getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            assertEquals(6.0, meters.get("poolpair.unacknowledged.batches").tag("module", PRESENCE).gauge().value(),
                    "the gauges show the export cycle's sample");

            assertTrue(sampling.dueAfterAcknowledgement(PRESENCE), "the module's first sample");
            assertFalse(sampling.dueAfterAcknowledgement(PRESENCE), "six batches unacknowledged, sampled less than a page-refresh ago");

            Instant drainStart = Instant.now();
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 6);
            TwoPools.await("the acknowledgement that caught up is sampled", () -> {
                List<long[]> samples = samplesSince(pools, drainStart);
                return !samples.isEmpty() && samples.get(samples.size() - 1)[0] == 0;
            });
            List<long[]> samples = samplesSince(pools, drainStart);
            assertEquals(1, samples.size(), "only the caught-up acknowledgement was sampled: " + samples.size() + " samples");
            assertEquals(0, samples.get(0)[1], "the caught-up sample shows no recovery point");
            TwoPools.await("the gauges are refreshed with the caught-up sample", () ->
                    meters.get("poolpair.unacknowledged.batches").tag("module", PRESENCE).gauge().value() == 0.0);

            assertTrue(sampling.dueAfterAcknowledgement(PRESENCE), "caught up: sampled however recently");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:pending@example.com");
            assertFalse(sampling.dueAfterAcknowledgement(PRESENCE), "a change waits to be claimed: not caught up");
        }
    }

    /** {unacknowledged batches, recovery point seconds} of each sample of the module since {@code from}, oldest first. */
    private static List<long[]> samplesSince(TwoPools pools, Instant from) throws Exception {
        List<long[]> samples = new ArrayList<>();
        try (Connection conn = pools.a.store().dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(
                "SELECT unacknowledged_batches, recovery_point_seconds FROM pp_status_history WHERE module = ? AND sampled_at >= ?"
                        + " ORDER BY sampled_at")) {
            ps.setString(1, PRESENCE);
            ps.setTimestamp(2, Timestamp.from(from));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    samples.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
        }
        return samples;
    }
}
