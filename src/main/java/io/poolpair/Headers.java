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
    /** This store's incarnation as the cookie being written names it. */
    public static final String COOKIE_INCARNATION = "PoolPairCookieIncarnation";
    /** The import error the peer's cookie reports (null when its import is well). */
    public static final String PEER_IMPORT_ERROR = "PoolPairPeerImportError";

    private Headers() {
    }
}
