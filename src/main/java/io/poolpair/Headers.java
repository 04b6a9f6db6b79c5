package io.poolpair;

/** Message headers the routes and beans share. */
public final class Headers {
    public static final String MODULE = "PoolPairModule";
    public static final String BATCH = "PoolPairBatch";
    public static final String PENDING_CHANGES = "PoolPairPendingChanges";
    public static final String BATCHES_THIS_CYCLE = "PoolPairBatchesThisCycle";
    public static final String DISPOSITION = "PoolPairDisposition";
    public static final String ACKED_BATCH = "PoolPairAckedBatch";
    public static final String ROWS = "PoolPairRows";
    public static final String COOKIE_BATCH = "PoolPairCookieBatch";

    private Headers() {
    }
}
