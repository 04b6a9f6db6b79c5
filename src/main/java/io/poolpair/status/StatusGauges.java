package io.poolpair.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.poolpair.metrics.PoolPairMetrics;
import io.poolpair.state.ErrorText;
import io.poolpair.state.StatusHistory;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poolpair gauges on Camel's Prometheus endpoint (beside the counters of {@link PoolPairMetrics}), each with
 * {@code pool} and {@code module} tags. They read the statuses of the latest status history sample ({@link #sample}: at
 * the end of each export cycle and after acknowledgements), so a scrape runs no SQL and a sample reads each module's
 * status once for both (it counts the pending changes and finds the oldest unacknowledged one: the whole backlog).
 */
public final class StatusGauges {

    private static final Logger LOG = LoggerFactory.getLogger(StatusGauges.class);

    private final MeterRegistry registry;
    private final BackupStatus status;
    private final String pool;
    private final List<String> modules;
    /** The latest status of each module, as the gauges read it. */
    private final Map<String, BackupStatus.ModuleStatus> snapshot = new ConcurrentHashMap<>();

    private StatusGauges(MeterRegistry registry, BackupStatus status, String pool, List<String> modules) {
        this.registry = registry;
        this.status = status;
        this.pool = pool;
        this.modules = List.copyOf(modules);
        for (String module : modules) {
            gauge("poolpair.pending.changes", null, "changes captured here and not yet in a batch", module,
                    BackupStatus.ModuleStatus::pendingChanges);
            gauge("poolpair.recovery.point.age", "seconds", "age of the oldest change the peer has not"
                    + " acknowledged (0: none)", module, BackupStatus.ModuleStatus::oldestUnacknowledgedChangeAgeSeconds);
            gauge("poolpair.unacknowledged.batches", null, "batches numbered and not yet acknowledged by the peer", module,
                    BackupStatus.ModuleStatus::unacknowledgedBatches);
            gauge("poolpair.quarantine.files", null, "files in this pool's quarantine folder", module,
                    BackupStatus.ModuleStatus::quarantinedFiles);
            gauge("poolpair.last.applied.batch", null, "the peer's last batch applied here", module,
                    BackupStatus.ModuleStatus::lastAppliedBatch);
            gauge("poolpair.export.error", null, "1 while ExportStatus is ErrorState", module,
                    m -> m.exportStatus() == BackupStatus.ExportStatus.ErrorState ? 1 : 0);
            gauge("poolpair.import.error", null, "1 while ImportStatus is ErrorState (a gap that does not fill, a"
                    + " quarantined batch)", module, m -> m.importStatus() == BackupStatus.ImportStatus.ErrorState ? 1 : 0);
        }
    }

    /** Registers the gauges of {@code modules} and takes their first snapshot; each {@link #sample} takes the next. */
    public static StatusGauges register(MeterRegistry registry, BackupStatus status, String pool, List<String> modules) {
        StatusGauges gauges = new StatusGauges(registry, status, pool, modules);
        gauges.firstSnapshot();
        return gauges;
    }

    private void gauge(String name, String unit, String help, String module, ToDoubleFunction<BackupStatus.ModuleStatus> value) {
        Gauge.builder(name, snapshot, s -> {
            BackupStatus.ModuleStatus m = s.get(module);
            return m == null ? Double.NaN : value.applyAsDouble(m);
        }).baseUnit(unit).description(help).tag("pool", pool).tag("module", module).register(registry);
    }

    /**
     * The status history's sampler: the statuses of {@code module} (every module when null), shown on the gauges
     * from now on and returned as the history's samples taken at {@code at}.
     */
    public List<StatusHistory.Sample> sample(String module, Instant at) throws SQLException {
        // the modules' statuses only: the whole report (conflicts, verifications, instance, incarnation) is read by
        // no gauge
        List<StatusHistory.Sample> samples = new ArrayList<>();
        for (String m : modules) {
            if (module == null || m.equals(module)) {
                BackupStatus.ModuleStatus s = status.module(m);
                snapshot.put(m, s);
                samples.add(BackupStatus.sampleOf(s, at));
            }
        }
        return samples;
    }

    private void firstSnapshot() {
        try {
            sample(null, Instant.now());
        } catch (Exception e) {
            // the gauges keep the last snapshot; status and health report the problem itself
            LOG.debug("metrics snapshot not refreshed: {}", ErrorText.of(e));
        }
    }
}
