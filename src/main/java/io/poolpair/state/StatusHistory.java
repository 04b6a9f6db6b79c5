package io.poolpair.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.poolpair.Headers;
import io.poolpair.config.PoolConfig;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.Header;

/**
 * The recovery point over time, for the status page's chart: a row in {@code pp_status_history} per module
 * each time the state moves (after every export cycle and every acknowledgement), taken by the {@link Sampler}
 * the status view gives it; rows older than {@code poolpair.status.history} are deleted.
 */
public final class StatusHistory {

    /** One sample of one module. */
    public record Sample(String module, Instant at, long recoveryPointSeconds, long pendingChanges,
                         long unacknowledgedBatches, String exportStatus, String importStatus) {
    }

    /** The samples of the last {@code span}, oldest first. */
    public record History(String pool, String peer, Instant from, Instant to, List<Sample> samples) {
    }

    /** Takes the samples of {@code module} (every module when null) now: the status view, which sits above this. */
    @FunctionalInterface
    public interface Sampler {
        List<Sample> sample(String module, Instant at) throws SQLException;
    }

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final PoolConfig config;
    private final DataSource dataSource;
    private final Sampler sampler;

    public StatusHistory(PoolConfig config, DataSource dataSource, Sampler sampler) {
        this.config = config;
        this.dataSource = dataSource;
        this.sampler = sampler;
    }

    /** Samples {@code module} (every module when null) now and forgets samples older than the history span. */
    public void record(@Header(Headers.MODULE) String module) throws SQLException {
        Instant now = Instant.now();
        List<Sample> samples = sampler.sample(module, now);
        try (Connection conn = dataSource.getConnection()) {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pp_status_history (module, sampled_at,"
                    + " recovery_point_seconds, pending_changes, unacknowledged_batches, export_status, import_status)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Sample m : samples) {
                    ps.setString(1, m.module());
                    ps.setTimestamp(2, Timestamp.from(m.at()));
                    ps.setLong(3, m.recoveryPointSeconds());
                    ps.setLong(4, m.pendingChanges());
                    ps.setLong(5, m.unacknowledgedBatches());
                    ps.setString(6, m.exportStatus());
                    ps.setString(7, m.importStatus());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM pp_status_history WHERE sampled_at < ?")) {
                ps.setTimestamp(1, Timestamp.from(now.minus(config.statusHistory())));
                ps.executeUpdate();
            }
        }
    }

    /** The samples of the last history span, oldest first. */
    public History history() throws SQLException {
        Instant to = Instant.now();
        Instant from = to.minus(config.statusHistory());
        List<Sample> samples = new ArrayList<>();
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT module, sampled_at, recovery_point_seconds, pending_changes,"
                     + " unacknowledged_batches, export_status, import_status FROM pp_status_history WHERE sampled_at >= ?"
                     + " ORDER BY sampled_at, module")) {
            ps.setTimestamp(1, Timestamp.from(from));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    samples.add(new Sample(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return new History(config.pool(), config.peer(), from, to, samples);
    }

    /** The history as JSON, for {@code GET /poolpair/status/history}. */
    public String json() throws SQLException {
        try {
            return JSON.writeValueAsString(history());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Duration span() {
        return config.statusHistory();
    }
}
