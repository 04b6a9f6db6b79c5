package io.poolpair.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * The poolpair metrics on Camel's Prometheus endpoint: per module, gauges read from real state (pending
 * changes, recovery point, unacknowledged batches, quarantined files) and counters of batches and bytes
 * exported and imported, and the apply duration.
 */
public final class PoolPairMetrics {

    private final MeterRegistry registry;

    public PoolPairMetrics(MeterRegistry registry, BackupStatus status, List<String> modules) {
        this.registry = registry;
        for (String module : modules) {
            gauge("poolpair.pending.changes", module, status, s -> read(s, module).pendingChanges());
            gauge("poolpair.oldest.unacknowledged.change.age.seconds", module, status,
                    s -> read(s, module).oldestUnacknowledgedChangeAgeSeconds());
            gauge("poolpair.unacknowledged.batches", module, status, s -> read(s, module).unacknowledgedBatches());
            gauge("poolpair.quarantined.files", module, status, s -> read(s, module).quarantinedFiles());
            gauge("poolpair.last.applied.batch", module, status, s -> read(s, module).lastAppliedBatch());
        }
    }

    private void gauge(String name, String module, BackupStatus status, ToDoubleFunction<BackupStatus> value) {
        Gauge.builder(name, status, value).tag("module", module).register(registry);
    }

    private static BackupStatus.ModuleStatus read(BackupStatus status, String module) {
        try {
            return status.module(module);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the status of " + module, e);
        }
    }

    /** Route step after a batch reached the peer's share. */
    public void batchPublished(@Header("PoolPairModule") String module, @Body File batch) {
        Counter.builder("poolpair.batches.exported").tag("module", module).register(registry).increment();
        Counter.builder("poolpair.bytes.exported").tag("module", module).register(registry).increment(batch.length());
    }

    public void batchApplied(String module, long bytes, Duration took) {
        Counter.builder("poolpair.batches.imported").tag("module", module).register(registry).increment();
        Counter.builder("poolpair.bytes.imported").tag("module", module).register(registry).increment(bytes);
        Timer.builder("poolpair.apply.duration").tag("module", module).register(registry).record(took);
    }

    /** Keys of a batch that this pool had written too (newest write kept): {@code poolpair.conflicts}. */
    public void conflictsResolved(String module, int conflicts) {
        if (conflicts > 0) {
            Counter.builder("poolpair.conflicts").tag("module", module).register(registry).increment(conflicts);
        }
    }

    public void fileQuarantined(String module) {
        Counter.builder("poolpair.files.quarantined").tag("module", module == null ? "unknown" : module)
                .register(registry).increment();
    }

    /** After a verification: the rows found to differ from the peer's copy (in flight ones not counted). */
    public void verified(String module, long differences) {
        Counter.builder("poolpair.verify.runs").tag("module", module).register(registry).increment();
        Counter.builder("poolpair.verify.differences").tag("module", module).register(registry).increment(differences);
    }
}
