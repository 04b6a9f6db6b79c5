package io.poolpair.runtime;

import io.poolpair.ack.Acknowledger;
import io.poolpair.ack.CookieReader;
import io.poolpair.ack.CookieVersions;
import io.poolpair.ack.CookieWriter;
import io.poolpair.batch.BatchLimits;
import io.poolpair.batch.EntryCipher;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.exporter.BatchWriter;
import io.poolpair.exporter.ChangeCapture;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.ExportState;
import io.poolpair.exporter.FullSnapshot;
import io.poolpair.exporter.Outbox;
import io.poolpair.state.FailoverState;
import io.poolpair.failover.FailoverNotice;
import io.poolpair.failover.FailoverSeam;
import io.poolpair.importer.BatchApplier;
import io.poolpair.importer.BatchVerifier;
import io.poolpair.state.ImportState;
import io.poolpair.importer.ImportPollPace;
import io.poolpair.importer.NextBatchFilter;
import io.poolpair.importer.PrivateCopy;
import io.poolpair.importer.Quarantine;
import io.poolpair.share.ShareLayout;
import io.poolpair.share.SmbShareComponent;
import io.poolpair.state.PeerIncarnations;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.store.Store;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.PoolPairHealthCheck;
import io.poolpair.metrics.PoolPairMetrics;
import io.poolpair.state.StatusHistory;
import io.poolpair.status.StatusGauges;
import io.poolpair.status.StatusPage;
import io.poolpair.status.StatusSampling;
import io.poolpair.config.ModuleConfig;
import io.poolpair.content.ContentBudget;
import io.poolpair.content.ContentStore;
import io.poolpair.verify.RowDigest;
import io.poolpair.verify.Verifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The beans the routes call by name. Any Camel registry can receive them, so the routes run unchanged in
 * camel-main or in an existing Camel runtime.
 */
public final class PoolPairBeans {

    private PoolPairBeans() {
    }

    public static void bind(PoolConfig config, Store store, BiConsumer<String, Object> registry) {
        bind(config, store, registry, null);
    }

    /**
     * As {@link #bind(PoolConfig, Store, BiConsumer)}, with the Prometheus registry that Camel's metrics already serve
     * (camel-main's {@code camel.metrics.enabled} makes one before configuration classes run), or null for a new one.
     */
    public static void bind(PoolConfig config, Store store, BiConsumer<String, Object> registry,
                            PrometheusMeterRegistry existingMeters) {
        Signer signer = new Signer(config.key());
        ShareLayout share = new ShareLayout(config);
        share.prepare();
        ExportState exportState = new ExportState(store.dataSource());
        StoreIncarnation incarnation = new StoreIncarnation(store.dataSource());
        PeerIncarnations peers = new PeerIncarnations(store.dataSource(), config.peer());
        registry.accept("storeIncarnation", incarnation);
        FailoverState failover = FailoverNotice.failoverState(config, store.dataSource());
        ActiveInstance active = ActiveInstance.of(config);
        if (active.service() != null) {
            registry.accept("poolpairClusterService", active.service());
        }
        registry.accept("activeInstance", active);
        registry.accept("activeInstancePolicy", active.policy());
        registry.accept("failoverState", failover);
        FailoverSeam seam = new FailoverSeam(config, store.dataSource(), failover);
        ImportState importState = new ImportState(store.dataSource(), config.peer());
        Map<String, ContentStore> content = new HashMap<>();
        for (ModuleConfig module : config.modules()) {
            if (module.contentDir().isPresent()) {
                var table = store.catalog().table(module.contentTable().orElseThrow());
                var sizeColumn = config.contentSizeColumn(module.name()).map(c -> table.column(c).orElseThrow(() ->
                        new io.poolpair.config.ConfigException("poolpair.module." + module.name() + ".content-size-column = "
                                + c + ": table " + table.name() + " has no such column")));
                content.put(table.name(), new ContentStore(module.contentDir().get(), table, sizeColumn));
            }
        }
        // one definition of the batch limits: the exporter cuts and checks its batches by them, the importer rejects by them
        BatchLimits limits = BatchLimits.of(config);
        BatchVerifier verifier = new BatchVerifier(config, share, signer, importState, store.catalog(), peers);
        ContentBudget budget = new ContentBudget(limits.contentBytesPerCycle());
        EntryCipher cipher = config.encrypt() ? new EntryCipher(config.key()) : null;
        registry.accept("contentBudget", budget);
        BatchWriter writer = new BatchWriter(store.dataSource(), store.dialect(), store.catalog(), signer, config.pool(),
                config.peer(), config.outbox(), content, budget, cipher, seam, limits, verifier::checkStaged);

        BackupStatus status = new BackupStatus(config, store.dataSource(), active);
        PrometheusMeterRegistry meters = existingMeters != null ? existingMeters : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<String> moduleNames = config.modules().stream().map(m -> m.name()).toList();
        PoolPairMetrics metrics = new PoolPairMetrics(meters, config.pool(), moduleNames);
        StatusGauges gauges = StatusGauges.register(meters, status, config.pool(), moduleNames);
        registry.accept("metricsRegistry", meters);
        registry.accept("backupStatus", status);
        registry.accept("httpAccess", HttpAccess.start(config));
        // camel.main.log-mask = true: every log line of the routes goes through the one masking function
        registry.accept(org.apache.camel.spi.MaskingFormatter.CUSTOM_LOG_MASK_REF,
                (org.apache.camel.spi.MaskingFormatter) io.poolpair.config.SecretText::mask);
        registry.accept("statusHistory", new StatusHistory(config, store.dataSource(), gauges::sample));
        ChangeLog changeLog = new ChangeLog(store.dataSource());
        registry.accept("changeLog", changeLog);
        registry.accept("statusSampling", new StatusSampling(exportState, changeLog, config.statusPageRefresh()));
        registry.accept("statusPage", new StatusPage(config));
        registry.accept("poolpairMetrics", metrics);
        registry.accept("poolpairHealthCheck", new PoolPairHealthCheck(status, config.rpoAlert()));
        registry.accept("poolpairDataSource", store.dataSource());
        registry.accept("moduleList", new ModuleList(config.modules()));
        registry.accept("shareLayout", share);
        // smb:// share URIs: camel-smb with operations that connect before they look for a file
        registry.accept("smb", new SmbShareComponent());
        registry.accept("exportState", exportState);
        registry.accept("importState", importState);
        registry.accept("changeCapture", new ChangeCapture(store.dataSource(), config.maxBatchesPerSync(),
                config.maxChangesPerBatch(), seam));
        registry.accept("batchWriter", writer);
        registry.accept("fullSnapshot", new FullSnapshot(store.dataSource(), store.dialect(), store.catalog(), signer, config,
                exportState, content, cipher, seam, limits, verifier::checkStaged));
        Acknowledger acknowledger = new Acknowledger(config, share, signer, incarnation, peers, exportState);
        Outbox outbox = new Outbox(config.outbox(), config.pool(), exportState, share, writer, config.resendAfter(),
                acknowledger::appliedNow, incarnation);
        try {
            outbox.discardOtherIncarnations();
            outbox.discardAbandonedStaging();
        } catch (java.sql.SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot check the outbox " + config.outbox() + ": " + e.getMessage(), e);
        }
        try {
            // the peer may send a batch this pool refused for good once more: this start's settings may take it now
            importState.forgetRefusals();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot reset the refused batches in pp_import: " + e.getMessage(), e);
        }
        registry.accept("outbox", outbox);
        registry.accept("nextBatchFilter", new NextBatchFilter(share, importState, config.peer(), signer,
                new io.poolpair.batch.ZipBounds(config.maxBatchBytes(), config.maxEntries())));
        registry.accept("batchVerifier", verifier);
        registry.accept("batchApplier", new BatchApplier(store.dataSource(), store.dialect(), store.catalog(), signer,
                importState, metrics, config, content, seam));
        registry.accept("importPollPace", new ImportPollPace());
        registry.accept("privateCopy", new PrivateCopy(config.importPrivateDir(), config.maxBatchBytes(), share));
        registry.accept("quarantine", new Quarantine(config.quarantine(), importState, metrics));
        registry.accept("cookieWriter", new CookieWriter(importState, exportState, incarnation, signer, config.pool(), config.peer(),
                config.resendAfter()));
        registry.accept("acknowledger", acknowledger);
        registry.accept("cookieVersions", new CookieVersions());
        registry.accept("cookieReader", new CookieReader(signer));
        Map<String, java.util.Optional<String>> owners = new HashMap<>();
        config.modules().forEach(m -> owners.put(m.name(), m.ownerColumn()));
        registry.accept("verifier", new Verifier(config, store.dataSource(), store.catalog(),
                new RowDigest(store.dataSource(), store.dialect(), content, owners), signer, metrics));
    }
}
