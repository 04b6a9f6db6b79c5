package io.poolpair.runtime;

import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import io.poolpair.config.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Says that a poolpair process runs for this pool, whatever its HTTP setting: an OS lock on
 * {@code <data-dir>/instance.lock}, released by the operating system when the process ends, even on kill -9.
 * A service that is one of several instances ({@code poolpair.cluster.enabled}) holds it shared (its peers in the
 * cluster share the data folder and take turns through the cluster service); any other runtime (a single service,
 * the in-process runtime of {@code sync} or {@code failback}) holds it exclusively. So a command never starts a
 * second runtime next to a running service, where both would stage the same batch.
 */
final class InstanceLock implements AutoCloseable {

    static final String FILE = "instance.lock";
    /**
     * The lock files this JVM holds. A second channel on such a file must never be opened and closed: on Linux, closing
     * any channel of a file releases every lock this process holds on it (POSIX record locks belong to the process).
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static InstanceLock acquire(PoolConfig config) {
        Path file = config.dataDir().resolve(FILE).toAbsolutePath().normalize();
        boolean shared = config.clusterEnabled();
        if (!HELD.add(file)) {
            throw refused(config, file);
        }
        FileChannel channel = null;
        try {
            PrivateFiles.createFolders(config.dataDir());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM through a path spelled otherwise
            }
            if (lock == null) {
                channel.close();
                HELD.remove(file);
                throw refused(config, file);
            }
            return new InstanceLock(file, channel, lock);
        } catch (IOException e) {
            HELD.remove(file);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the open failed or the lock was refused: nothing held
                }
            }
            throw new ConfigException("cannot lock " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static ConfigException refused(PoolConfig config, Path file) {
        return new ConfigException("another poolpair process runs for pool " + config.pool() + " (it holds " + file
                + "): stop it first, or let it do the work (sync and failback reach a running service through"
                + " its HTTP endpoint, poolpair.http.enabled); several service instances of one pool need"
                + " poolpair.cluster.enabled=true on each");
    }

    /** True when a runtime of this pool (a service, starting or running, or a command's) holds the lock now. */
    static boolean heldByAnother(PoolConfig config) {
        Path file = config.dataDir().resolve(FILE).toAbsolutePath().normalize();
        if (HELD.contains(file)) {
            return true;
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            try (FileLock lock = channel.tryLock()) {
                return lock == null;
            } catch (OverlappingFileLockException e) {
                return true;
            }
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process ends soon or the store closes: the OS drops the lock with the channel
        } finally {
            HELD.remove(file);
        }
    }
}
