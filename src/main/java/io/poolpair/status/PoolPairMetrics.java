package io.poolpair.status;

import io.poolpair.state.ErrorText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poolpair metrics on Camel's Prometheus endpoint, named as Prometheus expects (base units declared, not spelled
 * into names: Micrometer appends {@code _seconds}, {@code _bytes}, {@code _total}), each with {@code pool} and
 * {@code module} tags. The gauges read a status snapshot taken once per export cycle and after each acknowledgement
 * ({@link #refresh}), so a scrape runs no SQL. {@code docs/grafana-dashboard.json} and
 * {@code docs/prometheus-alerts.yml} use these names ({@code MonitoringFilesTest} checks them against a scrape).
 */
public final class PoolPairMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(PoolPairMetrics.class);

    private final MeterRegistry registry;
    private final BackupStatus status;
    private final String pool;
    /** The latest status of each module, as the gauges read it. */
    private final Map<String, BackupStatus.ModuleStatus> snapshot = new ConcurrentHashMap<>();

    public PoolPairMetrics(MeterRegistry registry, BackupStatus status, String pool, List<String> modules) {
        this.registry = registry;
        this.status = status;
        this.pool = pool;
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
            // every series from the start, at 0: an alert on increase() sees the first event, and dashboards have a line
            counter("poolpair.exported.batches", null, module);
            counter("poolpair.exported", BaseUnits.BYTES, module);
            counter("poolpair.imported.batches", null, module);
            counter("poolpair.imported", BaseUnits.BYTES, module);
            counter("poolpair.conflicts", null, module);
            counter("poolpair.quarantined", BaseUnits.FILES, module);
            counter("poolpair.verify.runs", null, module);
            counter("poolpair.verify.differences", null, module);
            applyTimer(module);
        }
    }

    private void gauge(String name, String unit, String help, String module, ToDoubleFunction<BackupStatus.ModuleStatus> value) {
        Gauge.builder(name, snapshot, s -> {
            BackupStatus.ModuleStatus m = s.get(module);
            return m == null ? Double.NaN : value.applyAsDouble(m);
        }).baseUnit(unit).description(help).tag("pool", pool).tag("module", module).register(registry);
    }

    /** Route step (end of each export cycle, after each acknowledgement): takes the snapshot the gauges read. */
    public void refresh() {
        try {
            for (BackupStatus.ModuleStatus m : status.report(null).modules()) {
                snapshot.put(m.module(), m);
            }
        } catch (Exception e) {
            // the gauges keep the last snapshot; status and health report the problem itself
            LOG.debug("metrics snapshot not refreshed: {}", ErrorText.of(e));
        }
    }

    /** Route step after a batch reached the peer's share. */
    public void batchPublished(@Header("PoolPairModule") String module, @Body File batch) {
        counter("poolpair.exported.batches", null, module).increment();
        counter("poolpair.exported", BaseUnits.BYTES, module).increment(batch.length());
    }

    public void batchApplied(String module, long bytes, Duration took) {
        counter("poolpair.imported.batches", null, module).increment();
        counter("poolpair.imported", BaseUnits.BYTES, module).increment(bytes);
        applyTimer(module).record(took);
    }

    private Timer applyTimer(String module) {
        return Timer.builder("poolpair.apply").description("time to apply one batch in its transaction")
                .tag("pool", pool).tag("module", module).register(registry);
    }

    /** Keys of a batch that this pool had written too (newest write kept). */
    public void conflictsResolved(String module, int conflicts) {
        if (conflicts > 0) {
            counter("poolpair.conflicts", null, module).increment(conflicts);
        }
    }

    public void fileQuarantined(String module) {
        counter("poolpair.quarantined", BaseUnits.FILES, module == null ? "unknown" : module).increment();
    }

    /** After a verification: the rows found to differ from the peer's copy (in flight ones not counted). */
    public void verified(String module, long differences) {
        counter("poolpair.verify.runs", null, module).increment();
        counter("poolpair.verify.differences", null, module).increment(differences);
    }

    private Counter counter(String name, String unit, String module) {
        return Counter.builder(name).baseUnit(unit).tag("pool", pool).tag("module", module).register(registry);
    }
}
