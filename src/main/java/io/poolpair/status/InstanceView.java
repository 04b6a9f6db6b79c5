package io.poolpair.status;

import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.InstanceRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** The pool's active instance as status shows it: the one TaskAssignment/ names, and whether this process is it. */
final class InstanceView {

    private final PoolConfig config;
    private final InstanceRole active;

    /** {@code active}: this process's role, or null outside the service (a command). */
    InstanceView(PoolConfig config, InstanceRole active) {
        this.config = config;
        this.active = active;
    }

    /** TaskAssignment/<pool>.json: the instance that ran the last export cycle. */
    BackupStatus.InstanceStatus read() {
        Path file = config.shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve(config.pool() + ".json");
        Boolean thisActive = active == null ? null : active.active();
        if (!Files.isRegularFile(file)) {
            return thisActive == null ? null : new BackupStatus.InstanceStatus(null, 0, null, null, thisActive);
        }
        try {
            var node = BackupStatus.JSON.readTree(file.toFile());
            return new BackupStatus.InstanceStatus(node.path("host").asText(null), node.path("pid").asLong(),
                    parse(node.path("startedAt").asText(null)), parse(node.path("refreshedAt").asText(null)), thisActive);
        } catch (IOException | RuntimeException e) {
            return new BackupStatus.InstanceStatus(null, 0, null, null, thisActive);
        }
    }

    private static Instant parse(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
