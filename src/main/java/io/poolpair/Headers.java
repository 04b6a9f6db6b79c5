package io.poolpair;

/**
 * Every message header the routes and beans share, named once. Beans use these constants; the routes (YAML, which
 * cannot reference a Java constant) spell the same names, and {@code HeadersTest} fails when a route uses a name not
 * declared here, or when a name declared here is used nowhere. The event headers the hooks receive are a contract
 * with integrators (routes/hooks.camel.yaml documents them): renaming one breaks their edited routes.
 */
public final class Headers {

    // what is being worked on

    /** The module ({@code Category.Module}) an exchange is about. */
    public static final String MODULE = "PoolPairModule";
    /** The modules a request names (HTTP sync: one, or all when none was named). */
    public static final String MODULES = "PoolPairModules";
    /** The number of the batch being staged or applied. */
    public static final String BATCH = "PoolPairBatch";

    // export

    /** Changes of the module captured and not yet in a batch, counted at the start of an export. */
    public static final String PENDING_CHANGES = "PoolPairPendingChanges";
    /** How many batches this export cycle cuts for the module. */
    public static final String BATCHES_THIS_CYCLE = "PoolPairBatchesThisCycle";
    /** True when batches the peer lacks are re-sent at once (a fresh cookie that stays behind), not after resend-after. */
    public static final String IMMEDIATE = "PoolPairImmediate";

    // import

    /** The verifier's verdict on a batch: {@code apply}, {@code duplicate} or {@code wait}. */
    public static final String DISPOSITION = "PoolPairDisposition";
    /** The batch file as it lies in the share, while the private copy of it is verified and applied. */
    public static final String SHARE_FILE = "PoolPairShareFile";
    /** The sha256 of the manifest the verifier checked: the applier applies only a batch with that manifest. */
    public static final String VERIFIED_MANIFEST = "PoolPairVerifiedManifest";
    /** Set by the verifier on a rejection a re-sent copy cannot cure: the incarnation of the batch's sender. */
    public static final String REFUSED_INCARNATION = "PoolPairRefusedIncarnation";
    /** Rows an applied batch wrote. */
    public static final String ROWS = "PoolPairRows";

    // acknowledgement

    /** The batch the cookie being written acknowledges. */
    public static final String COOKIE_BATCH = "PoolPairCookieBatch";
    /** The batch of this store the peer's cookie acknowledges. */
    public static final String ACKED_BATCH = "PoolPairAckedBatch";
    /** The import error the peer's cookie reports (null when its import is well). */
    public static final String PEER_IMPORT_ERROR = "PoolPairPeerImportError";
    /** The batch of this store the peer's cookie reports as refused for good (null when none). */
    public static final String PEER_REFUSED_BATCH = "PoolPairPeerRefusedBatch";
    /** Why the peer refused {@link #PEER_REFUSED_BATCH}. */
    public static final String PEER_REFUSED = "PoolPairPeerRefused";

    // verify

    /** True when the verification file just handled produced an answer to publish into the peer's share. */
    public static final String VERIFY_ANSWER = "PoolPairVerifyAnswer";

    // events handed to the hooks (routes/hooks.camel.yaml)

    /** The event's name: batch-published, batch-applied, file-quarantined, export-failed, import-failed. */
    public static final String EVENT = "PoolPairEvent";
    /** This pool's name, on every event. */
    public static final String POOL = "PoolPairPool";
    /** The paired pool's name, on every event. */
    public static final String PEER = "PoolPairPeer";
    /** The file an event is about: its path in the share. */
    public static final String BATCH_FILE = "PoolPairBatchFile";
    /** What went wrong (failure and quarantine events), secrets masked. */
    public static final String REASON = "PoolPairReason";
    /** Where a quarantined file was moved. */
    public static final String QUARANTINED_AS = "PoolPairQuarantinedAs";

    private Headers() {
    }
}
