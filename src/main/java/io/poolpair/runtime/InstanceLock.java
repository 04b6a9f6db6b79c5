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

    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static InstanceLock acquire(PoolConfig config) {
        Path file = config.dataDir().resolve(FILE);
        boolean shared = config.clusterEnabled();
        FileChannel channel = null;
        try {
            PrivateFiles.createFolders(config.dataDir());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null; // held by a runtime of this pool in this very JVM
            }
            if (lock == null) {
                channel.close();
                throw new ConfigException("another poolpair process runs for pool " + config.pool() + " (it holds " + file
                        + "): stop it first, or let it do the work (sync and failback reach a running service through"
                        + " its HTTP endpoint, poolpair.http.enabled); several service instances of one pool need"
                        + " poolpair.cluster.enabled=true on each");
            }
            return new InstanceLock(channel, lock);
        } catch (IOException e) {
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

    /** True when a runtime of this pool (a service, starting or running, or a command's) holds the lock now. */
    static boolean heldByAnother(PoolConfig config) {
        Path file = config.dataDir().resolve(FILE);
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
        }
    }
}
