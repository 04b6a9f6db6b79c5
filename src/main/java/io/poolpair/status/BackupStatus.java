package io.poolpair.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.exporter.ExportState;
import io.poolpair.importer.ImportState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.Header;

/**
 * The backup service's state per module, computed from real state: this pool's database (what it exported,
 * what the peer acknowledged, what it applied) and its quarantine folder. Run on a pool, it shows that
 * pool's export direction and import direction, as Get-CsBackupServiceStatus does.
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
                               String lastError, String lastExportError, String lastImportError, String oversizedContent) {

        public boolean healthy() {
            return (exportStatus == ExportStatus.FinalState || exportStatus == ExportStatus.SteadyState)
                    && importStatus == ImportStatus.NormalState;
        }
    }

    /** The whole pool. */
    public record Report(String pool, String peer, Instant at, List<ModuleStatus> modules) {
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

    public BackupStatus(PoolConfig config, DataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        this.exportState = new ExportState(dataSource);
        this.importState = new ImportState(dataSource, config.peer());
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
        return new Report(config.pool(), config.peer(), Instant.now(), modules);
    }

    /** The report as JSON, for {@code GET /poolpair/status?module=M}. */
    public String json(@Header("module") String module) throws SQLException {
        return report(module).toJson();
    }

    public ModuleStatus module(String module) throws SQLException {
        if (!serviceHasRun(module)) {
            return new ModuleStatus(module, ExportStatus.NotInitialized, ImportStatus.NormalState, 0, 0, 0, null, 0, null, 0,
                    null, 0, quarantinedFiles(module), null, null, null, null);
        }
        ExportState.Snapshot export = exportState.get(module);
        ImportState.Snapshot imported = importState.get(module);
        long pending = pendingChanges(module);
        Instant oldest = oldestUnacknowledgedChange(module);
        long unacked = export.lastBatch() - export.ackedBatch();
        long backlogBatches = unacked + (pending + config.maxChangesPerBatch() - 1) / config.maxChangesPerBatch();

        ExportStatus exportStatus;
        if (export.lastError() != null) {
            exportStatus = ExportStatus.ErrorState;
        } else if (!export.initialized()) {
            exportStatus = ExportStatus.NotInitialized;
        } else if (pending == 0 && unacked == 0) {
            exportStatus = ExportStatus.FinalState;
        } else if (backlogBatches <= config.maxBatchesPerSync()) {
            exportStatus = ExportStatus.SteadyState;
        } else {
            exportStatus = ExportStatus.NonSteadyState;
        }
        ImportStatus importStatus = imported.lastError() == null ? ImportStatus.NormalState : ImportStatus.ErrorState;
        String lastError = export.lastError() != null ? export.lastError() : imported.lastError();
        return new ModuleStatus(module, exportStatus, importStatus, pending, unacked, export.lastBatch(),
                export.publishedAt(), export.ackedBatch(), export.ackedAt(), imported.lastApplied(), imported.appliedAt(),
                oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toSeconds()),
                quarantinedFiles(module), lastError, export.lastError(), imported.lastError(), export.oversizedContent());
    }

    /** False before the service first started against this store with this module configured. */
    private boolean serviceHasRun(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection()) {
            boolean tables = false;
            for (String name : new String[] {"pp_export", "PP_EXPORT"}) {
                try (ResultSet rs = conn.getMetaData().getTables(null, null, name, null)) {
                    tables |= rs.next();
                }
            }
            if (!tables) {
                return false;
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT COUNT(*) FROM pp_export WHERE module = ?")) {
                ps.setString(1, module);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        }
    }

    private long pendingChanges(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT COUNT(*) FROM pp_change WHERE module = ? AND batch IS NULL")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Changes are purged once acknowledged, so the oldest row left is the oldest unacknowledged change. */
    private Instant oldestUnacknowledgedChange(String module) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT MIN(changed_at) FROM pp_change WHERE module = ?")) {
            ps.setString(1, module);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp ts = rs.getTimestamp(1);
                return ts == null ? null : ts.toInstant();
            }
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
