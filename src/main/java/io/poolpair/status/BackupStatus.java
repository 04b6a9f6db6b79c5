package io.poolpair.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.failover.FailoverNotice;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.Conflicts;
import io.poolpair.state.ExportState;
import io.poolpair.state.FailoverState;
import io.poolpair.state.ImportState;
import io.poolpair.state.InstanceRole;
import io.poolpair.state.PeerIncarnations;
import io.poolpair.state.StatusHistory;
import io.poolpair.state.StoreIncarnation;
import io.poolpair.state.VerifyRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * The backup service's state per module, computed from real state: this pool's database (what it exported,
 * what the peer acknowledged, what it applied), read through the state/ classes that own its tables, and its
 * quarantine folder. Run on a pool, it shows that pool's export direction and import direction, as
 * Get-CsBackupServiceStatus does. The failover part is {@link FailoverView}, the active instance {@link InstanceView}.
 */
public final class BackupStatus {

    /** Lync's export states. */
    public enum ExportStatus { NotInitialized, FinalState, SteadyState, NonSteadyState, ErrorState }

    /** Lync's import states. */
    public enum ImportStatus { NormalState, ErrorState }

    /** One module, both directions as seen from this pool. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ModuleStatus(String module, ExportStatus exportStatus, ImportStatus importStatus, long pendingChanges,
                               long unacknowledgedBatches, long lastExportedBatch, Instant lastExportedAt,
                               long lastAcknowledgedBatch, Instant lastAcknowledgedAt, long lastAppliedBatch,
                               Instant lastAppliedAt, long oldestUnacknowledgedChangeAgeSeconds, long quarantinedFiles,
                               String lastError, String lastExportError, String lastImportError, String oversizedContent,
                               long peerRowWrites, String lastPeerRowWrite, String restore, String restoreToPeer,
                               String contentWaiting) {

        public boolean healthy() {
            return (exportStatus == ExportStatus.FinalState || exportStatus == ExportStatus.SteadyState)
                    && importStatus == ImportStatus.NormalState;
        }
    }

    /**
     * Disaster recovery as seen from this pool. {@code role}: {@code acting} (this pool acts for the failed
     * pool), {@code failing-back}, {@code handed-back}, or {@code superseded} (the peer acts for this pool);
     * {@code summary} is the status line.
     */
    public record FailoverStatus(String role, String actingPool, String failedPool, Instant since,
                                 Instant failbackStartedAt, Instant handedBackAt, long splitBrainBatches, Instant splitBrainAt,
                                 String summary) {
    }

    /** The instance named in TaskAssignment/ (the active one) and whether this process is it. */
    public record InstanceStatus(String host, long pid, Instant startedAt, Instant refreshedAt, Boolean thisInstanceActive) {
    }

    /**
     * This store's incarnation (the identity of its history), the one it replaced and why (a store found to have
     * gone back in time), and the peer's incarnation as last seen.
     */
    public record IncarnationStatus(String incarnation, Instant since, String replaced, String reason, String peerIncarnation) {
    }

    /** The whole pool. */
    public record Report(String pool, String peer, Instant at, List<ModuleStatus> modules, InstanceStatus activeInstance,
                         FailoverStatus failover, List<Conflicts.Conflict> conflicts, IncarnationStatus incarnation,
                         long conflictCount, List<VerifyRecords.LastVerification> verifications) {
        public boolean healthy() {
            return modules.stream().allMatch(ModuleStatus::healthy);
        }

        public String toJson() {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final PoolConfig config;
    private final DataSource dataSource;
    private final ExportState exportState;
    private final ImportState importState;
    private final ChangeLog changes;
    private final FailoverState failoverState;
    private final InstanceView instance;

    public BackupStatus(PoolConfig config, DataSource dataSource) {
        this(config, dataSource, null);
    }

    /** In the service: {@code active} tells whether this instance is the pool's active one. */
    public BackupStatus(PoolConfig config, DataSource dataSource, InstanceRole active) {
        this.failoverState = FailoverNotice.failoverState(config, dataSource);
        this.config = config;
        this.dataSource = dataSource;
        this.exportState = new ExportState(dataSource);
        this.importState = new ImportState(dataSource, config.peer());
        this.changes = new ChangeLog(dataSource);
        this.instance = new InstanceView(config, active);
    }

    /** Every module, or only {@code module} when given ({@code All} or null for every module). */
    public Report report(String module) throws SQLException {
        List<ModuleStatus> modules = new ArrayList<>();
        for (ModuleConfig m : config.modules()) {
            if (module == null || module.isBlank() || module.equalsIgnoreCase("All") || m.name().equals(module)) {
                modules.add(module(m.name()));
            }
        }
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("unknown module '" + module + "'; configured: "
                    + config.modules().stream().map(ModuleConfig::name).toList());
        }
        List<String> names = modules.stream().map(ModuleStatus::module).toList();
        return new Report(config.pool(), config.peer(), Instant.now(), modules, instance.read(),
                FailoverView.of(failoverState, config.pool(), config.peer()), Conflicts.latest(dataSource, 100),
                incarnation(), Conflicts.count(dataSource), VerifyRecords.latest(dataSource, names));
    }

    /**
     * The report as JSON, for {@code GET /poolpair/status?module=M}: whole for a request that carried the pool's
     * token, else {@link #withoutDetail() without row keys, host, pid or error text}.
     */
    public String json(@Header("module") String module, @ExchangeProperty(AUTHORIZED) Boolean authorized)
            throws SQLException {
        Report report = report(module);
        return (Boolean.TRUE.equals(authorized) ? report : withoutDetail(report)).toJson();
    }

    /** The exchange property the HTTP routes set: true when the request carried the pool's token. */
    public static final String AUTHORIZED = "PoolPairAuthorized";

    /** What a reader without the token sees in an error's place. */
    public static final String ERROR_WITHOUT_TOKEN = "error (details withheld: they need the pool's HTTP token, or run"
            + " poolpair status on the pool's host)";
    private static final String WITHHELD = "withheld: needs the pool's HTTP token";

    /**
     * The report as anyone who can reach the HTTP port may see it: states, counts and times, but no row keys
     * (conflicts, the last write to a peer's row), no host or pid of the active instance and no error text (an
     * error may quote SQL, paths and values).
     */
    public static Report withoutDetail(Report report) {
        List<ModuleStatus> modules = report.modules().stream().map(m -> new ModuleStatus(m.module(), m.exportStatus(),
                m.importStatus(), m.pendingChanges(), m.unacknowledgedBatches(), m.lastExportedBatch(), m.lastExportedAt(),
                m.lastAcknowledgedBatch(), m.lastAcknowledgedAt(), m.lastAppliedBatch(), m.lastAppliedAt(),
                m.oldestUnacknowledgedChangeAgeSeconds(), m.quarantinedFiles(), m.lastError() == null ? null : ERROR_WITHOUT_TOKEN,
                m.lastExportError() == null ? null : ERROR_WITHOUT_TOKEN, m.lastImportError() == null ? null : ERROR_WITHOUT_TOKEN,
                m.oversizedContent() == null ? null : WITHHELD, m.peerRowWrites(), null, m.restore(), m.restoreToPeer(),
                m.contentWaiting() == null ? null : WITHHELD)).toList();
        InstanceStatus instance = report.activeInstance() == null ? null : new InstanceStatus(null, 0,
                report.activeInstance().startedAt(), report.activeInstance().refreshedAt(),
                report.activeInstance().thisInstanceActive());
        return new Report(report.pool(), report.peer(), report.at(), modules, instance, report.failover(),
                report.conflicts() == null ? null : List.of(), report.incarnation(), report.conflictCount(), report.verifications());
    }

    /** The status history's sample of a module's status, taken at {@code at}. */
    public static StatusHistory.Sample sampleOf(ModuleStatus s, Instant at) {
        return new StatusHistory.Sample(s.module(), at, s.oldestUnacknowledgedChangeAgeSeconds(), s.pendingChanges(),
                s.unacknowledgedBatches(), s.exportStatus().name(), s.importStatus().name());
    }

    public ModuleStatus module(String module) throws SQLException {
        if (!exportState.has(module)) {
            return new ModuleStatus(module, ExportStatus.NotInitialized, ImportStatus.NormalState, 0, 0, 0, null, 0, null, 0,
                    null, 0, quarantinedFiles(module), null, null, null, null, 0, null, null, null, null);
        }
        ExportState.Snapshot export = exportState.get(module);
        ImportState.Snapshot imported = importState.get(module);
        long pending = changes.pending(module);
        Instant oldest = changes.oldestUnacknowledged(module);
        long unacked = export.lastBatch() - export.ackedBatch();
        long backlogBatches = unacked + (pending + config.maxChangesPerBatch() - 1) / config.maxChangesPerBatch();

        // the peer's own import error (a gap that does not fill there) is this direction's error too
        String exportError = export.lastError() != null ? export.lastError()
                : export.peerRefusal(config.peer()) != null ? export.peerRefusal(config.peer())
                : export.peerImportError() != null ? config.peer() + " reports ImportStatus ErrorState: " + export.peerImportError()
                : null;
        boolean snapshotOwed = export.fullSyncRequested() || export.restoreRequested();
        ExportStatus exportStatus;
        if (exportError != null) {
            exportStatus = ExportStatus.ErrorState;
        } else if (!export.initialized()) {
            exportStatus = ExportStatus.NotInitialized;
        } else if (pending == 0 && unacked == 0 && !snapshotOwed) {
            exportStatus = ExportStatus.FinalState;
        } else if (backlogBatches <= config.maxBatchesPerSync()) {
            exportStatus = ExportStatus.SteadyState;
        } else {
            exportStatus = ExportStatus.NonSteadyState;
        }
        String importError = imported.error(config.peer(), config.resendAfter());
        ImportStatus importStatus = importError == null ? ImportStatus.NormalState : ImportStatus.ErrorState;
        String lastError = exportError != null ? exportError : importError;
        String restoreToPeer = export.restoreRequested() ? "owed to " + config.peer() + (restoreHeldBack()
                ? " (sent at failback): " : ": ") + export.restoreReason()
                : export.restoreBatch() > 0 ? "sent to " + config.peer() + " from batch " + export.restoreBatch() : null;
        return new ModuleStatus(module, exportStatus, importStatus, pending, unacked, export.lastBatch(),
                export.publishedAt(), export.ackedBatch(), export.ackedAt(), imported.lastApplied(), imported.appliedAt(),
                oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toSeconds()),
                quarantinedFiles(module), lastError, exportError, importError, export.oversizedContent(),
                export.peerRowWrites(), export.lastPeerRowWrite(), imported.restoreProgress(config.peer()), restoreToPeer,
                export.contentWaiting());
    }

    private boolean restoreHeldBack() throws SQLException {
        return failoverState.ofPeer().map(f -> f.state() == FailoverState.State.Acting).orElse(false);
    }

    private IncarnationStatus incarnation() throws SQLException {
        try {
            var info = new StoreIncarnation(dataSource).infoIfCreated();
            if (info.isEmpty()) {
                return null;
            }
            return new IncarnationStatus(info.get().incarnation(), info.get().createdAt(), info.get().replaced(),
                    info.get().reason(), new PeerIncarnations(dataSource, config.peer()).current().orElse(null));
        } catch (SQLException e) {
            return null; // tables created, service never started here
        }
    }

    private long quarantinedFiles(String module) {
        Path folder = config.quarantine().resolve(module);
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> !p.getFileName().toString().endsWith(".reason")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
