package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TaskAssignment/<acting pool>.acting-for.json} in the failed pool's share: written there by the pool that
 * acts for it at every export cycle while it acts, through the peer share's endpoint like every other write to the
 * peer's share (a local folder, SFTP or SMB alike; a share that is down does not stop the cycle), and replaced by a
 * handed-back notice at failback. The failed pool, when it comes back, finds it in its own share: its status then
 * says who acts for it, and its own writes are split-brain writes. Its facts (type, pools, the acting store's
 * incarnation, state, since) are signed with the pair's key (HMAC-SHA256), like everything else on a share; a
 * notice that does not verify is ignored and logged.
 */
public final class FailoverNotice {

    static final String TYPE = "poolpair-failover-notice";
    static final String ACTING = "acting";
    static final String HANDED_BACK = "handed-back";
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(FailoverNotice.class);

    private final PoolConfig config;
    private final Signer signer;

    FailoverNotice(PoolConfig config) {
        this.config = config;
        this.signer = new Signer(config.key());
    }

    /** Path of the notice this pool writes, relative to the peer's share root: the publish step's file name. */
    public String peerFileName() {
        return ShareLayout.TASK_ASSIGNMENT + "/" + config.pool() + ".acting-for.json";
    }

    /** The notice the peer writes into this pool's share while acting for this pool. */
    Path inOwnShare() {
        return config.shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve(config.peer() + ".acting-for.json");
    }

    /** The signed notice: this pool acts for the peer since {@code since}, or ({@code acting} false) handed it back. */
    byte[] build(boolean acting, Instant since, String incarnation) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", TYPE);
        node.put("actingPool", config.pool());
        node.put("failedPool", config.peer());
        node.put("actingIncarnation", incarnation);
        node.put("state", acting ? ACTING : HANDED_BACK);
        node.put("since", since.toString());
        node.put("signature", signer.sign(facts(node).getBytes(StandardCharsets.UTF_8)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String facts(JsonNode node) {
        return String.join("\n", node.path("type").asText(), node.path("actingPool").asText(), node.path("failedPool").asText(),
                node.path("actingIncarnation").asText(), node.path("state").asText(), node.path("since").asText());
    }

    /** When the peer started acting for this pool, while its signed acting notice is in this pool's share. */
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
                LOG.warn("ignored {}: larger than {} bytes", file, MAX_BYTES);
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(bytes);
            if (!TYPE.equals(node.path("type").asText()) || !config.peer().equals(node.path("actingPool").asText())
                    || !config.pool().equals(node.path("failedPool").asText())
                    || !signer.verify(facts(node).getBytes(StandardCharsets.UTF_8), node.path("signature").asText())) {
                LOG.warn("ignored {}: not a failover notice signed by {} with the pair's key", file, config.peer());
                return Optional.empty();
            }
            return ACTING.equals(node.path("state").asText()) ? Optional.of(Instant.parse(node.path("since").asText()))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignored {}: unreadable ({})", file, e.getMessage());
            return Optional.empty();
        }
    }
}
