package io.poolpair.runtime;

import io.poolpair.config.PoolConfig;
import io.poolpair.store.Store;

/** A pool's store, opened only under its {@link InstanceLock}: one runtime per pool on this host. */
record LockedStore(InstanceLock lock, Store store) implements AutoCloseable {

    static LockedStore open(PoolConfig config) {
        InstanceLock lock = InstanceLock.acquire(config);
        try {
            return new LockedStore(lock, Store.open(config));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            lock.close();
        }
    }
}
