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
    /** The batch file as it lies in the share, while the private copy of it is verified and applied. */
    public static final String SHARE_FILE = "PoolPairShareFile";
    /** The sha256 of the manifest the verifier checked: the applier applies only a batch with that manifest. */
    public static final String VERIFIED_MANIFEST = "PoolPairVerifiedManifest";
    /** The import error the peer's cookie reports (null when its import is well). */
    public static final String PEER_IMPORT_ERROR = "PoolPairPeerImportError";

    /** The batch of this store the peer's cookie reports as refused for good (null when none), and why. */
    public static final String PEER_REFUSED_BATCH = "PoolPairPeerRefusedBatch";
    public static final String PEER_REFUSED = "PoolPairPeerRefused";
    /** Set by the verifier on a rejection a re-sent copy cannot cure: the incarnation of the batch's sender. */
    public static final String REFUSED_INCARNATION = "PoolPairRefusedIncarnation";

    private Headers() {
    }
}
