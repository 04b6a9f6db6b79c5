package io.poolpair.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code TaskAssignment/<acting pool>.acting-for.json} in the failed pool's share: written there by the pool
 * that acts for it (at failover and every export cycle while it acts), removed at failback. The failed pool,
 * when it comes back, finds it in its own share: its status then says who acts for it, and its own writes are
 * split-brain writes.
 */
public final class FailoverNotice {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PoolConfig config;

    FailoverNotice(PoolConfig config) {
        this.config = config;
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
        Files.writeString(tmp, String.format("{\n  \"actingPool\" : \"%s\",\n  \"failedPool\" : \"%s\",\n"
                + "  \"since\" : \"%s\"\n}\n", config.pool(), config.peer(), since));
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
            if (!config.peer().equals(node.path("actingPool").asText()) || !config.pool().equals(node.path("failedPool").asText())) {
                return Optional.empty();
            }
            return Optional.of(Instant.parse(node.path("since").asText()));
        } catch (IOException | RuntimeException e) {
            // a notice being replaced, or not one of ours: treat as present from now, so writes are stamped
            return Optional.of(Instant.now());
        }
    }
}
