package io.poolpair.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The effective configuration of one pool, parsed and checked once at load: the table's defaults ({@link Settings}),
 * {@code config/application.properties}, the pool's own file, then environment variables and system properties
 * ({@link ConfigLayers}). A thin facade: each getter returns a value parsed at load; errors name the key to fix.
 *
 * <p>One class over 300 lines because it is the one facade thirty classes read settings through: about fifty one-line
 * getters, one per setting of {@link Settings}; loading, checks and Camel properties live in their own classes.
 */
public final class PoolConfig {

    public static final Duration MIN_INTERVAL = Settings.MIN_INTERVAL;
    public static final Duration MAX_INTERVAL = Settings.MAX_INTERVAL;
    public static final int MIN_KEY_BYTES = Secrets.MIN_KEY_BYTES;
    public static final int MIN_HTTP_TOKEN_CHARS = Secrets.MIN_HTTP_TOKEN_CHARS;

    private final Path home;
    private final ConfigLayers layers;
    private final Map<Setting<?>, Object> parsed = new IdentityHashMap<>();
    private final Modules modules;
    private final byte[] key;
    private final Optional<String> httpToken;

    private PoolConfig(Path home, ConfigLayers layers) {
        this.home = home;
        this.layers = layers;
        for (Setting<?> setting : Settings.ALL) {
            parsed.put(setting, setting.parse(setting.name(), layers.values().get(setting.name())));
        }
        this.key = Secrets.pairKey(value(Settings.KEY), value(Settings.KEY_FILE), get(Settings.KEY_FILE.name(), ""));
        this.httpToken = Secrets.httpToken(value(Settings.HTTP_TOKEN), value(Settings.HTTP_TOKEN_FILE),
                get(Settings.HTTP_TOKEN_FILE.name(), ""));
        this.modules = Modules.parse(layers.values()::get, value(Settings.MODULES), pool(), peer());
    }

    /** Loads defaults from {@code <home>/config/application.properties}, then the pool file. */
    public static PoolConfig load(Path home, Path poolFile) {
        return load(home, poolFile, Map.of());
    }

    /** As {@link #load(Path, Path)}, with extra overrides applied last (used by demo and tests). */
    public static PoolConfig load(Path home, Path poolFile, Map<String, String> overrides) {
        PoolConfig config = new PoolConfig(home, ConfigLayers.load(home, poolFile, overrides));
        ConfigChecks.check(config);
        return config;
    }

    /** Finds the folder holding {@code config/} and {@code routes/}. */
    public static Path locateHome() {
        return PoolHome.locate();
    }

    @SuppressWarnings("unchecked")
    private <T> T value(Setting<T> setting) {
        return (T) parsed.get(setting);
    }


    public Path home() {
        return home;
    }

    public String pool() {
        return value(Settings.POOL);
    }

    public String peer() {
        return value(Settings.PEER);
    }

    public Path shareLocal() {
        return value(Settings.SHARE_LOCAL);
    }

    /** {@code poolpair.share.peer} as configured: a folder, or a file:, sftp:// or smb:// URI ({@code share.PeerShare.of} reads it). */
    public String peerShareValue() {
        return value(Settings.SHARE_PEER);
    }

    /** Accept any host key of an sftp:// peer share (insecure: only for a test bed). */
    public boolean shareInsecureSkipHostKeyCheck() {
        return value(Settings.SHARE_INSECURE_SKIP_HOST_KEY_CHECK);
    }

    /** The pair's shared secret: {@code poolpair.key}, or the contents of {@code poolpair.key-file} (read at load). */
    public byte[] key() {
        return key.clone();
    }

    /** The key file, when the key comes from {@code poolpair.key-file}. */
    public Optional<Path> keyFile() {
        return value(Settings.KEY).isEmpty() ? value(Settings.KEY_FILE) : Optional.empty();
    }


    /** The folder of this pool's local state (store, outbox, quarantine, content, the generated HTTP token). */
    public Path dataDir() {
        return value(Settings.DATA_DIR);
    }

    public Path outbox() {
        return value(Settings.OUTBOX);
    }

    public Path quarantine() {
        return value(Settings.QUARANTINE);
    }

    /** Where the importer copies a batch out of the share to verify and apply it (this pool's own, 0700). */
    public Path importPrivateDir() {
        return value(Settings.IMPORT_PRIVATE_DIR);
    }

    public String datasourceUrl() {
        return value(Settings.DATASOURCE_URL);
    }

    /** Why the store may not be opened with these credentials (an H2 store without a password), or empty. */
    public Optional<String> datasourcePasswordProblem() {
        return Secrets.datasourcePasswordProblem(datasourceUrl(), datasourcePassword());
    }

    public String datasourceUsername() {
        return value(Settings.DATASOURCE_USERNAME);
    }

    public String datasourcePassword() {
        return value(Settings.DATASOURCE_PASSWORD);
    }

    public int datasourcePoolSize() {
        return value(Settings.DATASOURCE_POOL_SIZE);
    }

    public Optional<Path> datasourceInitScript() {
        return value(Settings.DATASOURCE_INIT_SCRIPT);
    }


    public Duration syncInterval() {
        return value(Settings.SYNC_INTERVAL);
    }

    /** Conference content shipped per module and export cycle, in bytes. */
    public long maxContentBytesPerSync() {
        return value(Settings.MAX_DATACONF_PACKAGE_SIZE_KB) * 1024;
    }

    public int maxBatchesPerSync() {
        return value(Settings.MAX_BATCHES_PER_SYNC);
    }

    public int maxChangesPerBatch() {
        return value(Settings.MAX_CHANGES_PER_BATCH);
    }

    public Duration importPollDelay() {
        return value(Settings.IMPORT_POLL_DELAY);
    }

    /** Encrypt batch entries at rest on the share (AES-256-GCM); unset: for a remote peer share (sftp://, smb://) only. */
    public boolean encrypt() {
        return value(Settings.ENCRYPT).orElseGet(() -> Settings.remoteShare(peerShareValue()));
    }

    public Duration resendAfter() {
        return value(Settings.RESEND_AFTER);
    }

    /** How long a failover notice holds after it was written (at least three sync intervals). An older one is ignored. */
    public Duration failoverNoticeValidity() {
        return value(Settings.FAILOVER_NOTICE_VALIDITY);
    }

    /** {@code verify}: rows per checksum bucket (the table's row count divided by this is the number of buckets). */
    public int verifyChunkRows() {
        return value(Settings.VERIFY_CHUNK_ROWS);
    }

    /** {@code verify}: the most differing rows listed per table in one exchange (more: sync --full is the remedy). */
    public int verifyMaxListedRows() {
        return value(Settings.VERIFY_MAX_LISTED_ROWS);
    }

    /** Bytes per batch (zip file and decompressed entries), sent and received: see {@code batch.BatchLimits}. */
    public long maxBatchBytes() {
        return value(Settings.MAX_BATCH_BYTES);
    }

    /** Zip entries per batch, manifest and signature included, sent and received: see {@code batch.BatchLimits}. */
    public int maxEntries() {
        return value(Settings.MAX_ENTRIES);
    }

    public int maxCompressionRatio() {
        return value(Settings.MAX_COMPRESSION_RATIO);
    }


    /** Several instances of this pool (same database, same share), one of them active at a time. */
    public boolean clusterEnabled() {
        return value(Settings.CLUSTER_ENABLED);
    }

    /** How often the instances try to take (and the active one renews) the pool's lock. */
    public Duration clusterLockInterval() {
        return value(Settings.CLUSTER_LOCK_INTERVAL);
    }

    /** Intervals without the active instance's heartbeat after which another instance takes over. */
    public int clusterStaleAfterIntervals() {
        return value(Settings.CLUSTER_STALE_AFTER_INTERVALS);
    }

    /** The Camel cluster service that elects the active instance: {@code file} or {@code zookeeper}. */
    public String clusterService() {
        return value(Settings.CLUSTER_SERVICE);
    }

    /** The ZooKeeper ensemble, {@code host:port[,host:port...]}. */
    public String clusterZooKeeperNodes() {
        String nodes = value(Settings.CLUSTER_ZOOKEEPER_NODES);
        if (nodes.isEmpty()) {
            throw new ConfigException("poolpair.cluster.zookeeper.nodes = : name the ensemble as host:port[,host:port...]"
                    + " (poolpair.cluster.service = zookeeper)");
        }
        return nodes;
    }

    /** The ZooKeeper path under which the pools' elections live (one child per pool). */
    public String clusterZooKeeperBasePath() {
        return value(Settings.CLUSTER_ZOOKEEPER_BASE_PATH);
    }

    /** The folder holding the pool's lock: by default the TaskAssignment folder of its own share. */
    public Path clusterRoot() {
        return value(Settings.CLUSTER_ROOT).orElseGet(() -> shareLocal().resolve("TaskAssignment"));
    }


    public Duration rpoAlert() {
        return value(Settings.RPO_ALERT);
    }

    /** How long recovery-point samples are kept, and the span of the status page's chart. */
    public Duration statusHistory() {
        return value(Settings.STATUS_HISTORY);
    }

    /** How often the status page reloads its data. */
    public Duration statusPageRefresh() {
        return value(Settings.STATUS_PAGE_REFRESH);
    }

    public boolean httpEnabled() {
        return value(Settings.HTTP_ENABLED);
    }

    public int httpPort() {
        return value(Settings.HTTP_PORT);
    }

    /** The address the HTTP server binds: loopback unless set. */
    public String httpHost() {
        return value(Settings.HTTP_HOST);
    }

    /** The HTTP token the operator configured ({@code poolpair.http.token} or {@code poolpair.http.token-file}), if any. */
    public Optional<String> httpToken() {
        return httpToken;
    }


    /** The configured modules in the order given by {@code poolpair.modules}. */
    public List<ModuleConfig> modules() {
        return modules.list();
    }

    public ModuleConfig module(String name) {
        return modules.module(name);
    }

    /** {@code poolpair.module.<M>.content-size-column}: the column holding each content file's size, when set. */
    public Optional<String> contentSizeColumn(String module) {
        return modules.sizeColumn(module);
    }


    public String get(String key) {
        return layers.values().get(key);
    }

    public String get(String key, String fallback) {
        return layers.values().getOrDefault(key, fallback);
    }

    public String source(String key) {
        return layers.sources().getOrDefault(key, "derived");
    }

    public Map<String, String> values() {
        return Map.copyOf(layers.values());
    }

    /** The configuration as Camel properties, without the peer share's ({@code share.PeerShare.camelProperties} adds them). */
    public Properties camelProperties() {
        return CamelProperties.of(this);
    }
}
