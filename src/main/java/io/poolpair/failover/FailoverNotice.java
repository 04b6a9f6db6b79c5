package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.FailoverState;
import io.poolpair.state.StoreIncarnation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TaskAssignment/<acting pool>.acting-for.json} in the failed pool's share: written there by the pool that
 * acts for it at every export cycle while it acts, through the peer share's endpoint like every other write to the
 * peer's share (a local folder, SFTP or SMB alike; a share that is down does not stop the cycle), and replaced by a
 * handed-back notice at failback. The failed pool, when it comes back, finds it in its own share: its status then
 * says who acts for it, and its own writes are split-brain writes. Its facts (type, pools, the acting store's
 * incarnation, state, since, sequence, expiry) are signed with the pair's key (HMAC-SHA256 under the
 * {@link Signer.Kind#FAILOVER_NOTICE} label, so no cookie or manifest passes for one).
 *
 * <p>Against replay: the sequence rises with every notice the acting pool writes (its clock in ms, never below the
 * previous notice's plus one), and the failed pool remembers the highest it has read ({@code pp_store}); an older
 * notice, such as an "acting" notice saved during the failover and put back after the failback, is ignored. A notice
 * also expires ({@code poolpair.failover.notice-validity} after it was written; the acting pool renews it every cycle).
 * A notice that fails any check is ignored, with a warning that says why.
 */
public final class FailoverNotice implements FailoverState.Notice {

    static final String TYPE = "poolpair-failover-notice";
    static final String ACTING = "acting";
    static final String HANDED_BACK = "handed-back";
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(FailoverNotice.class);

    /** The highest notice sequence the failed pool has accepted, kept in its store. */
    interface Watermark {
        /** Raises the mark to {@code sequence} and returns true, or returns false when a higher one was accepted before. */
        boolean admit(long sequence);
    }

    private final PoolConfig config;
    private final Signer signer;
    private final Watermark watermark;
    private final AtomicLong lastSequence = new AtomicLong();
    private volatile String lastWarning;

    FailoverNotice(PoolConfig config, Watermark watermark) {
        this.config = config;
        this.signer = new Signer(config.key());
        this.watermark = watermark;
    }

    /** The failover state of the pool on {@code dataSource}, reading and writing its notices through this class. */
    public static FailoverState failoverState(PoolConfig config, DataSource dataSource) {
        return new FailoverState(config, dataSource, new FailoverNotice(config,
                new StoreIncarnation(dataSource)::admitPeerNotice));
    }

    /** Path of the notice this pool writes, relative to the peer's share root: the publish step's file name. */
    @Override
    public String peerFileName() {
        return ShareLayout.TASK_ASSIGNMENT + "/" + config.pool() + ".acting-for.json";
    }

    /** The notice the peer writes into this pool's share while acting for this pool. */
    Path inOwnShare() {
        return config.shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve(config.peer() + ".acting-for.json");
    }

    /** The signed notice: this pool acts for the peer since {@code since}, or ({@code acting} false) handed it back. */
    @Override
    public byte[] build(boolean acting, Instant since, String incarnation) {
        Instant now = Instant.now();
        long sequence = lastSequence.updateAndGet(last -> Math.max(now.toEpochMilli(), Math.addExact(last, 1)));
        ObjectNode node = JSON.createObjectNode();
        node.put("type", TYPE);
        node.put("actingPool", config.pool());
        node.put("failedPool", config.peer());
        node.put("actingIncarnation", incarnation);
        node.put("state", acting ? ACTING : HANDED_BACK);
        node.put("since", since.toString());
        node.put("sequence", sequence);
        node.put("expiresAt", now.plus(config.failoverNoticeValidity()).toString());
        node.put("signature", signer.sign(Signer.Kind.FAILOVER_NOTICE, facts(node).getBytes(StandardCharsets.UTF_8)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String facts(JsonNode node) {
        return String.join("\n", node.path("type").asText(), node.path("actingPool").asText(), node.path("failedPool").asText(),
                node.path("actingIncarnation").asText(), node.path("state").asText(), node.path("since").asText(),
                node.path("sequence").asText(), node.path("expiresAt").asText());
    }

    /** When the peer started acting for this pool, while its signed, current acting notice is in this pool's share. */
    @Override
    public Optional<Instant> peerActingSince() {
        Path file = inOwnShare();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                return ignored(file, "larger than " + MAX_BYTES + " bytes");
            }
            JsonNode node = JSON.readTree(bytes);
            if (!TYPE.equals(node.path("type").asText()) || !config.peer().equals(node.path("actingPool").asText())
                    || !config.pool().equals(node.path("failedPool").asText())
                    || !signer.verify(Signer.Kind.FAILOVER_NOTICE, facts(node).getBytes(StandardCharsets.UTF_8),
                    node.path("signature").asText())) {
                return ignored(file, "not a failover notice signed by " + config.peer() + " with the pair's key (forged,"
                        + " signed with another key, another kind of signed object, or written by a poolpair older than"
                        + " typed signatures)");
            }
            if (!node.path("sequence").canConvertToExactIntegral() || node.path("sequence").asLong() <= 0) {
                return ignored(file, "it carries no sequence");
            }
            Instant expires = Instant.parse(node.path("expiresAt").asText());
            if (!Instant.now().isBefore(expires)) {
                return ignored(file, "expired at " + expires + " (" + config.peer() + " renews its notice every export cycle"
                        + " while it acts: an old notice, or " + config.peer() + " has not reached this share since)");
            }
            long sequence = node.path("sequence").asLong();
            if (!watermark.admit(sequence)) {
                return ignored(file, "older than a notice read before (sequence " + sequence + "): an old notice put back"
                        + " into the share (replayed)");
            }
            lastWarning = null;
            return ACTING.equals(node.path("state").asText()) ? Optional.of(Instant.parse(node.path("since").asText()))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return ignored(file, "unreadable (" + e.getMessage() + ")");
        }
    }

    /** Logs why a notice is ignored, once for as long as the reason stays the same (it is read at every cycle). */
    private Optional<Instant> ignored(Path file, String why) {
        String warning = "ignored " + file + ": " + why;
        if (!warning.equals(lastWarning)) {
            lastWarning = warning;
            LOG.warn(warning);
        }
        return Optional.empty();
    }
}
