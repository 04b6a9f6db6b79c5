package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.share.PeerShare;
import io.poolpair.share.ShareLayout;
import io.poolpair.status.BackupStatus.ExportStatus;
import io.poolpair.status.BackupStatus.ModuleStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outages and damaged files with both pools as separate {@code run} processes on PostgreSQL. The processes are
 * started once for the class; each test begins and ends with both running and every direction settled, and
 * proves that nothing written during its fault is lost and that no batch is applied twice.
 * Filesystem faults use real mounts (a small tmpfs as poolA's outbox, a read-only bind mount of poolB's share);
 * where mounting is not permitted those tests are skipped with a message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessOutageTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    private PoolProcesses pools;
    private final List<Path> mounts = new ArrayList<>();
    private final AtomicInteger rows = new AtomicInteger();
    private String mountProblem;

    @BeforeAll
    void startBothPools() throws Exception {
        pools = PoolProcesses.onPostgres(dir, Map.of("poolpair.sync-interval", "PT5S",
                "poolpair.import.poll-delay", "PT0.2S", "poolpair.resend-after", "PT3S",
                "poolpair.max-changes-per-batch", "5", "poolpair.max-batches-per-sync", "2"));
        Path outbox = pools.config(A).outbox();
        Files.createDirectories(outbox);
        mountProblem = mount(outbox, "-t", "tmpfs", "-o", "size=2m", "tmpfs", outbox.toString());
        pools.start(A);
        pools.start(B);
        pools.awaitStarted(A);
        pools.awaitStarted(B);
    }

    @AfterAll
    void stopBothPools() throws Exception {
        if (pools != null) {
            pools.close();
        }
        for (int i = mounts.size() - 1; i >= 0; i--) {
            run("umount", "-l", mounts.get(i).toString());
        }
    }

    @BeforeEach
    void bothPoolsSettled() throws Exception {
        pools.awaitSettled(SETTLE);
    }

    @Test
    void peerProcessDownForManyCyclesBuildsABacklogThenCatchesUpWithNothingLost() throws Exception {
        pools.kill(B);
        for (int round = 0; round < 6; round++) {
            insertContacts(A, 10);
            Thread.sleep(300);
        }
        pools.await("batches published over several cycles pile up unacknowledged", SETTLE,
                () -> status(A).unacknowledgedBatches() >= 4);
        assertEquals(ExportStatus.NonSteadyState, status(A).exportStatus(), "a backlog beyond one cycle's batches");

        pools.start(B);
        pools.await("poolA catches up to FinalState", SETTLE, () -> status(A).exportStatus() == ExportStatus.FinalState);
        assertAllCopiedOnce();
    }

    @Test
    void fullOutboxDiskShowsErrorStateAndRecoversWhenSpaceReturns() throws Exception {
        Assumptions.assumeTrue(mountProblem == null, "no small filesystem for the outbox: " + mountProblem);
        Path filler = pools.config(A).outbox().resolve("filler.bin");
        fill(filler);
        try {
            insertContacts(A, 3);
            ModuleStatus failed = awaitError(A);
            assertTrue(failed.lastError().contains("No space left on device")
                    && failed.lastError().contains(pools.config(A).outbox().toString()), failed.lastError());
        } finally {
            Files.delete(filler);
        }
        pools.await("poolA recovers without manual steps", SETTLE, () -> status(A).exportStatus() == ExportStatus.FinalState);
        assertAllCopiedOnce();
    }

    @Test
    void readOnlyPeerShareShowsErrorStateAndRecoversWhenWritableAgain() throws Exception {
        Path share = PeerShare.of(pools.config(A)).localFolder();
        String problem = mount(share, "--bind", share.toString(), share.toString());
        Assumptions.assumeTrue(problem == null, "cannot bind-mount the share read-only: " + problem);
        try {
            String readOnly = run("mount", "-o", "remount,bind,ro", share.toString());
            Assumptions.assumeTrue(readOnly == null, "cannot remount the share read-only: " + readOnly);
            insertContacts(A, 3);
            ModuleStatus failed = awaitError(A);
            assertTrue(failed.lastError().contains("Read-only file system") && failed.lastError().contains(share.toString()),
                    failed.lastError());
        } finally {
            run("umount", "-l", share.toString());
            mounts.remove(share);
        }
        pools.await("poolA recovers without manual steps", SETTLE, () -> status(A).exportStatus() == ExportStatus.FinalState);
        assertAllCopiedOnce();
    }

    @Test
    void batchTruncatedOnTheShareIsQuarantinedAndResentFromTheOutbox() throws Exception {
        pools.kill(B);
        long before = status(A).lastExportedBatch();
        insertContacts(A, 3);
        Path batch = awaitPublishedFile(before + 1);
        byte[] published = Files.readAllBytes(batch);
        Files.write(batch, Arrays.copyOf(published, published.length / 2));

        pools.start(B);
        pools.awaitSettled(SETTLE);
        List<String> reasons = quarantineReasons(B);
        assertTrue(reasons.stream().anyMatch(r -> r.contains(batch.getFileName().toString()) && r.contains("truncated or corrupt")),
                "the damaged copy is in poolB's quarantine with its reason: " + reasons);
        assertAllCopiedOnce();
    }

    @Test
    void corruptedCookieIsIgnoredAndTheBatchIsReacknowledged() throws Exception {
        pools.kill(B);
        long batch = status(A).lastExportedBatch() + 1;
        insertContacts(A, 3);
        awaitPublishedFile(batch);
        pools.kill(A);
        pools.start(B);
        pools.await("poolB applied batch " + batch, SETTLE,
                () -> PoolProcesses.single(pools.dataSource(B), "SELECT last_applied FROM pp_import WHERE module = ?",
                        PRESENCE) == batch);
        Path cookie = pools.config(A).shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
        pools.await("poolB wrote its cookie", SETTLE, () -> Files.exists(cookie));
        // poolB refreshes its cookie every cycle: it is stopped while poolA reads the garbage
        pools.kill(B);
        Files.writeString(cookie, "garbage where a cookie should be");

        pools.start(A);
        pools.await("poolA logs the corrupted cookie", SETTLE, () -> pools.log(A).contains("ignored cookie"));
        pools.start(B);
        pools.awaitSettled(SETTLE);
        assertAllCopiedOnce();
    }

    private ModuleStatus status(String pool) throws Exception {
        return pools.status(pool, PRESENCE);
    }

    private ModuleStatus awaitError(String pool) throws Exception {
        pools.await(pool + " reports ErrorState", SETTLE, () -> status(pool).exportStatus() == ExportStatus.ErrorState);
        ModuleStatus failed = status(pool);
        System.out.println(pool + " ErrorState: " + failed.lastError());
        return failed;
    }

    /** Rows homed on the pool, each a new contact, as the pool's applications would write them. */
    private void insertContacts(String pool, int count) throws SQLException {
        try (Connection conn = pools.dataSource(pool).getConnection(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool) VALUES (?, ?, 'G', ?)")) {
            for (int i = 0; i < count; i++) {
                ps.setString(1, "sip:owner@" + pool);
                ps.setString(2, "sip:c" + rows.incrementAndGet() + "@example.com");
                ps.setString(3, pool);
                ps.executeUpdate();
            }
        }
    }

    /** Every contact written so far is on both pools, and each pool applied each batch once. */
    private void assertAllCopiedOnce() throws Exception {
        pools.awaitSettled(SETTLE);
        pools.assertCopiesEqual();
        pools.assertImportLogComplete();
        assertEquals(rows.get(), PoolProcesses.single(pools.dataSource(B),
                "SELECT COUNT(*) FROM user_contact WHERE home_pool = ?", A));
    }

    private Path awaitPublishedFile(long batch) throws Exception {
        Path file = PeerShare.of(pools.config(A)).localFolder().resolve(String.format("UserServices/PresenceFocus/Data/%s-%s-%012d.zip", A,
                PRESENCE, batch));
        pools.await("batch " + batch + " on poolB's share", SETTLE, () -> Files.exists(file));
        return file;
    }

    private List<String> quarantineReasons(String pool) throws IOException {
        try (Stream<Path> files = Files.walk(pools.config(pool).quarantine())) {
            List<String> reasons = new ArrayList<>();
            for (Path reason : files.filter(p -> p.toString().endsWith(".reason")).toList()) {
                reasons.add(Files.readString(reason, StandardCharsets.UTF_8));
            }
            return reasons;
        }
    }

    /** Writes until the filesystem is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }

    /** Mounts, remembering the mount point for the end; returns null, or why it failed. */
    private String mount(Path point, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "mount";
        System.arraycopy(args, 0, command, 1, args.length);
        String problem = run(command);
        if (problem == null) {
            mounts.add(point);
        }
        return problem;
    }

    /** Runs a command; returns null when it succeeds, else what it printed. */
    private static String run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": " + output.strip();
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}
