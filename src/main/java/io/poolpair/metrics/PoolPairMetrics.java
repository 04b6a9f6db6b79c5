package io.poolpair.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.poolpair.Headers;
import java.io.File;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * The poolpair counters on Camel's Prometheus endpoint, named as Prometheus expects (base units declared, not spelled
 * into names: Micrometer appends {@code _seconds}, {@code _bytes}, {@code _total}), each with {@code pool} and
 * {@code module} tags. The route beans that count (export, import, quarantine, verify) call this class, which sits at
 * the bottom of the packages and imports none of poolpair's. The gauges are status/StatusGauges: they read the statuses of the
 * latest status sample (start-up, each export cycle, after acknowledgements), so a scrape runs no SQL. {@code docs/grafana-dashboard.json} and {@code docs/prometheus-alerts.yml} use these names
 * ({@code MonitoringFilesTest} checks them against a scrape).
 */
public final class PoolPairMetrics {

    private final MeterRegistry registry;
    private final String pool;

    public PoolPairMetrics(MeterRegistry registry, String pool, List<String> modules) {
        this.registry = registry;
        this.pool = pool;
        for (String module : modules) {
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

    /** Route step after a batch reached the peer's share. */
    public void batchPublished(@Header(Headers.MODULE) String module, @Body File batch) {
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
