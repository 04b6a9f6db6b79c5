package io.poolpair.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.poolpair.metrics.PoolPairMetrics;
import io.poolpair.state.ErrorText;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poolpair gauges on Camel's Prometheus endpoint (beside the counters of {@link PoolPairMetrics}), each with
 * {@code pool} and {@code module} tags. They read a status snapshot taken at each {@link PoolPairMetrics#refresh}
 * (once per export cycle and after each acknowledgement), so a scrape runs no SQL.
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

    /** Registers the gauges of {@code modules} and takes their snapshot at every refresh of {@code metrics}. */
    public static StatusGauges register(MeterRegistry registry, PoolPairMetrics metrics, BackupStatus status, String pool,
                                        List<String> modules) {
        StatusGauges gauges = new StatusGauges(registry, status, pool, modules);
        metrics.onRefresh(gauges::refresh);
        return gauges;
    }

    private void gauge(String name, String unit, String help, String module, ToDoubleFunction<BackupStatus.ModuleStatus> value) {
        Gauge.builder(name, snapshot, s -> {
            BackupStatus.ModuleStatus m = s.get(module);
            return m == null ? Double.NaN : value.applyAsDouble(m);
        }).baseUnit(unit).description(help).tag("pool", pool).tag("module", module).register(registry);
    }

    /** Takes the snapshot the gauges read (at each refresh of the metrics: every export cycle and acknowledgement). */
    void refresh() {
        try {
            // the modules' statuses only: the whole report (conflicts, verifications, instance, incarnation) is
            // read by no gauge, and this runs at every export cycle and every acknowledgement
            for (String module : modules) {
                snapshot.put(module, status.module(module));
            }
        } catch (Exception e) {
            // the gauges keep the last snapshot; status and health report the problem itself
            LOG.debug("metrics snapshot not refreshed: {}", ErrorText.of(e));
        }
    }
}
