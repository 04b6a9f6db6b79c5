package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TaskAssignment/<acting pool>.acting-for.json} in the failed pool's share: written there by the pool
 * that acts for it (at failover and every export cycle while it acts), removed at failback. The failed pool,
 * when it comes back, finds it in its own share: its status then says who acts for it, and its own writes are
 * split-brain writes. Signed with the pair's key (HMAC-SHA256), like everything else on a share; a notice that
 * does not verify is ignored and logged.
 */
public final class FailoverNotice {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(FailoverNotice.class);

    private final PoolConfig config;
    private final Signer signer;

    FailoverNotice(PoolConfig config) {
        this.config = config;
        this.signer = new Signer(config.key());
    }

    /** The notice this pool writes into its peer's share while acting for it. */
    Path inPeerShare() {
        return config.sharePeer().resolve(ShareLayout.TASK_ASSIGNMENT).resolve(config.pool() + ".acting-for.json");
    }

    /** The notice the peer writes into this pool's share while acting for this pool. */
    Path inOwnShare() {
        return config.shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve(config.peer() + ".acting-for.json");
    }

    /** Writes (or refreshes) the notice in the peer's share, through its Temp folder. */
    public void write(Instant since) throws IOException {
        Path target = inPeerShare();
        Files.createDirectories(target.getParent());
        Path tmp = config.sharePeer().resolve(ShareLayout.TEMP).resolve(config.pool() + ".acting-for.part");
        Files.createDirectories(tmp.getParent());
        String facts = config.pool() + "\n" + config.peer() + "\n" + since;
        Files.writeString(tmp, String.format("{\n  \"actingPool\" : \"%s\",\n  \"failedPool\" : \"%s\",\n"
                + "  \"since\" : \"%s\",\n  \"signature\" : \"%s\"\n}\n", config.pool(), config.peer(), since,
                signer.sign(facts.getBytes(StandardCharsets.UTF_8))));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public void remove() throws IOException {
        Files.deleteIfExists(inPeerShare());
    }

    /** When the peer started acting for this pool, while its notice is in this pool's share. */
    public Optional<Instant> peerActingSince() {
        Path file = inOwnShare();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            String facts = node.path("actingPool").asText() + "\n" + node.path("failedPool").asText() + "\n"
                    + node.path("since").asText();
            if (!config.peer().equals(node.path("actingPool").asText()) || !config.pool().equals(node.path("failedPool").asText())
                    || !signer.verify(facts.getBytes(StandardCharsets.UTF_8), node.path("signature").asText())) {
                LOG.warn("ignored {}: not a notice signed by {} with the pair's key", file, config.peer());
                return Optional.empty();
            }
            return Optional.of(Instant.parse(node.path("since").asText()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignored {}: unreadable ({})", file, e.getMessage());
            return Optional.empty();
        }
    }
}
