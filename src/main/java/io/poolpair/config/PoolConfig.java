package io.poolpair.config;

import io.poolpair.share.PeerShare;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The effective configuration of one pool: defaults from {@code config/application.properties},
 * overridden by the pool's own file, then by environment variables and system properties.
 * Everything is validated here, at start-up, with messages that name the key to fix.
 */
public final class PoolConfig {

    public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MAX_INTERVAL = Duration.ofHours(3);
    public static final int MIN_KEY_BYTES = 32;
    public static final int MIN_HTTP_TOKEN_CHARS = 16;

    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+");
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,127}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final Path home;

    private PoolConfig(Path home, Map<String, String> values, Map<String, String> sources) {
        this.home = home;
        this.values = values;
        this.sources = sources;
    }

    /** Loads defaults from {@code <home>/config/application.properties}, then the pool file. */
    public static PoolConfig load(Path home, Path poolFile) {
        return load(home, poolFile, Map.of());
    }

    /** As {@link #load(Path, Path)}, with extra overrides applied last (used by demo and tests). */
    public static PoolConfig load(Path home, Path poolFile, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Path defaults = home.resolve("config/application.properties");
        if (!Files.isRegularFile(defaults)) {
            throw new ConfigException("default configuration " + defaults + " not found: set -Dpoolpair.home to the"
                    + " folder that holds config/ and routes/");
        }
        put(values, sources, readProperties(defaults), "default");
        if (poolFile != null) {
            if (!Files.isRegularFile(poolFile)) {
                throw new ConfigException("configuration file " + poolFile + " not found");
            }
            put(values, sources, readProperties(poolFile), "file " + poolFile);
        }
        for (Map.Entry<String, String> env : System.getenv().entrySet()) {
            if (env.getKey().startsWith("POOLPAIR_")) {
                String key = envToKey(env.getKey(), values.keySet());
                values.put(key, env.getValue());
                sources.put(key, "environment " + env.getKey());
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("poolpair.") || name.startsWith("camel.")) {
                values.put(name, System.getProperty(name));
                sources.put(name, "system property");
            }
        }
        overrides.forEach((k, v) -> {
            values.put(k, v);
            sources.put(k, "override");
        });
        values.put("poolpair.home", home.toAbsolutePath().normalize().toString());
        sources.putIfAbsent("poolpair.home", "derived");
        resolvePlaceholders(values);
        PoolConfig config = new PoolConfig(home, values, sources);
        config.validate();
        return config;
    }

    private static void put(Map<String, String> values, Map<String, String> sources, Properties props, String source) {
        for (String name : props.stringPropertyNames()) {
            values.put(name, props.getProperty(name).trim());
            sources.put(name, source);
        }
    }

    /** POOLPAIR_SYNC_INTERVAL matches poolpair.sync-interval; unknown names map to dotted lower case. */
    private static String envToKey(String env, Set<String> known) {
        String flat = env.toLowerCase().replace('_', '.');
        for (String key : known) {
            if (key.replace('-', '.').replace('_', '.').equalsIgnoreCase(flat)) {
                return key;
            }
        }
        return flat;
    }

    private static Properties readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        return props;
    }

    private static void resolvePlaceholders(Map<String, String> values) {
        for (int pass = 0; pass < 10; pass++) {
            boolean changed = false;
            for (Map.Entry<String, String> e : values.entrySet()) {
                Matcher m = PLACEHOLDER.matcher(e.getValue());
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    String ref = values.get(m.group(1));
                    m.appendReplacement(sb, Matcher.quoteReplacement(ref != null ? ref : m.group()));
                    changed |= ref != null;
                }
                m.appendTail(sb);
                e.setValue(sb.toString());
            }
            if (!changed) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ validation

    private void validate() {
        pool();
        peer();
        if (pool().equals(peer())) {
            throw new ConfigException("poolpair.peer must differ from poolpair.pool (both are '" + pool() + "')");
        }
        requireFolder("poolpair.share.local");
        // the peer's share is not required: it may be gone with the peer's site (failover), and batches queue in the
        // outbox until it is back; the service warns at start-up when it cannot see it
        if (peerShare().remote() && !shareInsecureSkipHostKeyCheck()) {
            String problem = peerShare().hostKeyCheckProblem();
            if (problem != null) {
                throw new ConfigException("poolpair.share.peer = " + peerShare().endpoint() + ": " + problem + " (or set"
                        + " poolpair.share.insecure-skip-host-key-check = true to accept any host key)");
            }
        }
        key();
        syncInterval();
        maxBatchesPerSync();
        maxChangesPerBatch();
        maxContentBytesPerSync();
        importPollDelay();
        resendAfter();
        failoverNoticeValidity();
        rpoAlert();
        statusHistory();
        statusPageRefresh();
        encrypt();
        if (httpEnabled()) {
            httpPort();
            httpToken();
            httpHostOpenOnlyWithToken();
        }
        maxBatchBytes();
        maxEntries();
        verifyChunkRows();
        verifyMaxListedRows();
        maxCompressionRatio();
        modules();
        checkEntriesFitModules();
        datasourceUrl();
        if (clusterEnabled()) {
            if (datasourceUrl().startsWith("jdbc:h2:")) {
                throw new ConfigException("poolpair.cluster.enabled = true: several instances of a pool need one shared"
                        + " PostgreSQL database (set poolpair.datasource.url = jdbc:postgresql://...), not embedded H2");
            }
            clusterLockInterval();
            clusterStaleAfterIntervals();
            if (clusterService().equals("zookeeper")) {
                clusterZooKeeperNodes();
            } else {
                clusterRoot();
            }
        }
    }

    private void requireFolder(String key) {
        Path folder = path(key);
        if (!Files.isDirectory(folder)) {
            throw new ConfigException(key + " = " + get(key) + ": the folder does not exist or is not reachable"
                    + " (create it, or mount the share)");
        }
    }

    // ------------------------------------------------------------------ typed accessors

    public Path home() {
        return home;
    }

    public String pool() {
        return name("poolpair.pool");
    }

    public String peer() {
        return name("poolpair.peer");
    }

    private String name(String key) {
        String v = require(key);
        if (!POOL_NAME.matcher(v).matches()) {
            throw new ConfigException(key + " = '" + v + "': use 1-64 letters, digits, '-' or '_'");
        }
        return v;
    }

    public Path shareLocal() {
        return path("poolpair.share.local");
    }

    /** The peer's share: a folder of this machine, or a remote share (sftp://...). */
    public PeerShare peerShare() {
        return PeerShare.parse("poolpair.share.peer", require("poolpair.share.peer"), this::resolvePath);
    }

    /** The peer's share as a folder of this machine; fails for a remote share. */
    public Path sharePeer() {
        PeerShare peer = peerShare();
        if (peer.remote()) {
            throw new ConfigException("poolpair.share.peer = " + peer.endpoint() + " is not a folder of this machine");
        }
        return peer.folder();
    }

    public Path outbox() {
        return path("poolpair.outbox");
    }

    public Path quarantine() {
        return path("poolpair.quarantine");
    }

    /** Where the importer copies a batch out of the share to verify and apply it (this pool's own, 0700). */
    public Path importPrivateDir() {
        return path("poolpair.import.private-dir");
    }

    public String datasourceUrl() {
        String url = require("poolpair.datasource.url");
        if (!url.startsWith("jdbc:")) {
            throw new ConfigException("poolpair.datasource.url = '" + url + "': expected a JDBC URL (jdbc:h2:... or jdbc:postgresql:...)");
        }
        return url;
    }

    /**
     * Why the store may not be opened with these credentials, or empty: an H2 store (other than an in-memory one) needs
     * a password. Its AUTO_SERVER port, open so that commands can read the store while the service runs, takes
     * connections from every local user; with H2's {@code sa} and an empty password any of them could read and change
     * the store. The demo and the tests write a random password for each pool.
     */
    public Optional<String> datasourcePasswordProblem() {
        String url = datasourceUrl();
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || !datasourcePassword().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("poolpair.datasource.url = " + SecretText.mask(url) + " is an H2 store with an empty"
                + " poolpair.datasource.password: any local user could connect to it (H2 listens on a loopback port while"
                + " the service runs). Set poolpair.datasource.password (or the environment variable"
                + " POOLPAIR_DATASOURCE_PASSWORD) for a new store; for a store made without one, set the password in it first"
                + " (H2 Shell: ALTER USER SA SET PASSWORD '...') with the service stopped");
    }

    public String datasourceUsername() {
        return get("poolpair.datasource.username", "");
    }

    public String datasourcePassword() {
        return get("poolpair.datasource.password", "");
    }

    public int datasourcePoolSize() {
        return positiveInt("poolpair.datasource.pool-size", 8);
    }

    public Optional<Path> datasourceInitScript() {
        String v = get("poolpair.datasource.init-script", "");
        return v.isBlank() ? Optional.empty() : Optional.of(resolvePath(v));
    }

    /** The pair's shared secret: {@code poolpair.key}, or the contents of {@code poolpair.key-file}. */
    public byte[] key() {
        String inline = get("poolpair.key", "");
        String file = get("poolpair.key-file", "");
        byte[] key;
        String from;
        if (!inline.isEmpty()) {
            key = inline.getBytes(StandardCharsets.UTF_8);
            from = "poolpair.key";
        } else if (!file.isEmpty()) {
            try {
                key = Files.readString(resolvePath(file)).trim().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException("poolpair.key-file = " + file + ": cannot read it (" + e.getMessage() + ")"
                        + KEYGEN_HINT, e);
            }
            from = "poolpair.key-file";
        } else {
            throw new ConfigException("poolpair.key is missing: set the pair's shared secret (the same on both pools,"
                    + " at least " + MIN_KEY_BYTES + " bytes) with poolpair.key or poolpair.key-file");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new ConfigException(from + " is " + key.length + " bytes long: use at least " + MIN_KEY_BYTES + " bytes"
                    + KEYGEN_HINT);
        }
        if (KeyQuality.isSample(key)) {
            throw new ConfigException(from + " holds the published sample key of config/examples/: anyone can sign"
                    + " batches with it" + KEYGEN_HINT);
        }
        if (KeyQuality.entropyBits(key) < KeyQuality.MIN_ENTROPY_BITS) {
            throw new ConfigException(from + " looks guessable (about " + KeyQuality.entropyBits(key) + " bits of entropy,"
                    + " at least " + KeyQuality.MIN_ENTROPY_BITS + " needed)" + KEYGEN_HINT);
        }
        return key;
    }

    private static final String KEYGEN_HINT = ": make a fresh key with 'poolpair keygen <file>', set poolpair.key-file"
            + " to it and copy the same file to the paired pool";

    /** The key file, when the key comes from {@code poolpair.key-file}. */
    public Optional<Path> keyFile() {
        String file = get("poolpair.key-file", "");
        return get("poolpair.key", "").isEmpty() && !file.isEmpty() ? Optional.of(resolvePath(file)) : Optional.empty();
    }

    public Duration syncInterval() {
        Duration d = duration("poolpair.sync-interval");
        if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
            throw new ConfigException("poolpair.sync-interval = " + get("poolpair.sync-interval")
                    + ": must be between PT5S and PT3H");
        }
        return d;
    }

    /** Conference content shipped per module and export cycle, in bytes. */
    public long maxContentBytesPerSync() {
        return positiveLong("poolpair.max-dataconf-package-size-kb", 102400) * 1024;
    }

    public int maxBatchesPerSync() {
        return positiveInt("poolpair.max-batches-per-sync", 500);
    }

    public int maxChangesPerBatch() {
        return positiveInt("poolpair.max-changes-per-batch", 10000);
    }

    public Duration importPollDelay() {
        return duration("poolpair.import.poll-delay");
    }

    /**
     * Encrypt batch entries at rest on the share (AES-256-GCM, key derived from the pair's key); unset: for a remote
     * peer share (sftp://, smb://) only.
     */
    public boolean encrypt() {
        String v = get("poolpair.encrypt", "").trim();
        if (v.isEmpty()) {
            return peerShare().remote(); // by default, batches crossing a network to a remote share are encrypted
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException("poolpair.encrypt = " + v + ": use true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** Accept any host key of an sftp:// peer share (insecure: only for a test bed). */
    public boolean shareInsecureSkipHostKeyCheck() {
        String v = get("poolpair.share.insecure-skip-host-key-check", "false").trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException("poolpair.share.insecure-skip-host-key-check = " + v + ": use true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** Several instances of this pool (same database, same share), one of them active at a time. */
    public boolean clusterEnabled() {
        String v = get("poolpair.cluster.enabled", "false").trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException("poolpair.cluster.enabled = " + v + ": use true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** How often the instances try to take (and the active one renews) the pool's lock. */
    public Duration clusterLockInterval() {
        Duration d = duration("poolpair.cluster.lock-interval");
        if (d.compareTo(Duration.ofMillis(500)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("poolpair.cluster.lock-interval = " + get("poolpair.cluster.lock-interval")
                    + ": must be between PT0.5S and PT1M");
        }
        return d;
    }

    /** Intervals without the active instance's heartbeat after which another instance takes over. */
    public int clusterStaleAfterIntervals() {
        int n = positiveInt("poolpair.cluster.stale-after-intervals", 3);
        if (n < 2) {
            throw new ConfigException("poolpair.cluster.stale-after-intervals = " + n + ": use 2 or more");
        }
        return n;
    }

    /**
     * The Camel cluster service that elects the active instance: {@code file} (a lock in {@link #clusterRoot()}) or
     * {@code zookeeper} (an ensemble the site runs, {@link #clusterZooKeeperNodes()}).
     */
    public String clusterService() {
        String v = get("poolpair.cluster.service", "file").trim();
        if (!v.equals("file") && !v.equals("zookeeper")) {
            throw new ConfigException("poolpair.cluster.service = " + v + ": use file (a lock in the share) or zookeeper"
                    + " (set poolpair.cluster.zookeeper.nodes too)");
        }
        return v;
    }

    /** The ZooKeeper ensemble, {@code host:port[,host:port...]}. */
    public String clusterZooKeeperNodes() {
        String v = get("poolpair.cluster.zookeeper.nodes", "").trim();
        if (v.isEmpty() || !v.matches("[A-Za-z0-9.\\-\\[\\]:]+:\\d+(,[A-Za-z0-9.\\-\\[\\]:]+:\\d+)*(/[A-Za-z0-9_/\\-]*)?")) {
            throw new ConfigException("poolpair.cluster.zookeeper.nodes = " + v + ": name the ensemble as host:port[,host:port...]"
                    + " (poolpair.cluster.service = zookeeper)");
        }
        return v;
    }

    /** The ZooKeeper path under which the pools' elections live (one child per pool). */
    public String clusterZooKeeperBasePath() {
        String v = get("poolpair.cluster.zookeeper.base-path", "/poolpair").trim();
        if (!v.matches("(/[A-Za-z0-9_.\\-]+)+")) {
            throw new ConfigException("poolpair.cluster.zookeeper.base-path = " + v + ": use an absolute ZooKeeper path such as /poolpair");
        }
        return v;
    }

    /** The folder holding the pool's lock: by default the TaskAssignment folder of its own share. */
    public Path clusterRoot() {
        String v = get("poolpair.cluster.root", "");
        return v.isBlank() ? shareLocal().resolve("TaskAssignment") : path("poolpair.cluster.root");
    }

    public Duration rpoAlert() {
        return duration("poolpair.rpo-alert");
    }

    /** How long recovery-point samples are kept, and the span of the status page's chart. */
    public Duration statusHistory() {
        return duration("poolpair.status.history");
    }

    /** How often the status page reloads its data. */
    public Duration statusPageRefresh() {
        return duration("poolpair.status.page-refresh");
    }

    public boolean httpEnabled() {
        return Boolean.parseBoolean(get("poolpair.http.enabled", "true"));
    }

    public int httpPort() {
        return positiveInt("poolpair.http.port", 8080);
    }

    /** The address the HTTP server binds: loopback unless set. */
    public String httpHost() {
        return require("poolpair.http.host");
    }

    /** The folder of this pool's local state (store, outbox, quarantine, content, the generated HTTP token). */
    public Path dataDir() {
        return path("poolpair.data-dir");
    }

    /** The HTTP token the operator configured ({@code poolpair.http.token} or {@code poolpair.http.token-file}), if any. */
    public Optional<String> httpToken() {
        String inline = get("poolpair.http.token", "");
        String file = get("poolpair.http.token-file", "");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new ConfigException("poolpair.http.token and poolpair.http.token-file are both set: set one of them");
        }
        String token;
        String from;
        if (!inline.isEmpty()) {
            token = inline;
            from = "poolpair.http.token";
        } else if (!file.isEmpty()) {
            try {
                token = Files.readString(resolvePath(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException("poolpair.http.token-file = " + file + ": cannot read it (" + e.getMessage() + ")", e);
            }
            from = "poolpair.http.token-file";
        } else {
            return Optional.empty();
        }
        if (token.length() < MIN_HTTP_TOKEN_CHARS || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigException(from + ": use a token of at least " + MIN_HTTP_TOKEN_CHARS
                    + " printable ASCII characters without spaces (e.g. openssl rand -hex 32)");
        }
        return Optional.of(token);
    }

    private void httpHostOpenOnlyWithToken() {
        String host = httpHost();
        boolean loopback;
        try {
            loopback = host.equalsIgnoreCase("localhost") || java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException("poolpair.http.host = " + host + ": unknown host (use 127.0.0.1, or an address of"
                    + " this machine)", e);
        }
        if (!loopback && httpToken().isEmpty()) {
            throw new ConfigException("poolpair.http.host = " + host + " opens the HTTP endpoints to the network: set"
                    + " poolpair.http.token or poolpair.http.token-file as well (or keep poolpair.http.host = 127.0.0.1)");
        }
    }

    public Duration resendAfter() {
        return duration("poolpair.resend-after");
    }

    /**
     * How long a failover notice holds after it was written ({@code poolpair.failover.notice-validity}, default PT24H,
     * at least three sync intervals: the acting pool renews it every export cycle). An older notice is ignored.
     */
    public Duration failoverNoticeValidity() {
        String v = get("poolpair.failover.notice-validity", "PT24H").trim();
        Duration d;
        try {
            d = Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw new ConfigException("poolpair.failover.notice-validity = " + v + ": not an ISO-8601 duration (example:"
                    + " PT24H)", e);
        }
        if (d.compareTo(syncInterval().multipliedBy(3)) < 0) {
            throw new ConfigException("poolpair.failover.notice-validity = " + v + ": must be at least three sync intervals"
                    + " (poolpair.sync-interval = " + syncInterval() + "), since the acting pool renews the notice once a cycle");
        }
        return d;
    }

    /** {@code verify}: rows per checksum bucket (the table's row count divided by this is the number of buckets). */
    public int verifyChunkRows() {
        return positiveInt("poolpair.verify.chunk-rows", 1000);
    }

    /** {@code verify}: the most differing rows listed per table in one exchange (more: sync --full is the remedy). */
    public int verifyMaxListedRows() {
        int n = positiveInt("poolpair.verify.max-listed-rows", 100_000);
        if (n > 10_000_000) {
            throw new ConfigException("poolpair.verify.max-listed-rows = " + n + ": at most 10000000 (a verification file"
                    + " holds that many rows; for more differences run sync --full on the owning pool)");
        }
        return n;
    }

    /** Bytes per batch (zip file and decompressed entries), sent and received: see {@code batch.BatchLimits}. */
    public long maxBatchBytes() {
        long bytes = positiveLong("poolpair.import.max-batch-bytes", 1L << 30);
        if (bytes < MIN_BATCH_BYTES) {
            throw new ConfigException("poolpair.import.max-batch-bytes = " + bytes + ": must be at least " + MIN_BATCH_BYTES
                    + " (4 MiB), so a batch holds its manifest and some rows");
        }
        return bytes;
    }

    /** Zip entries per batch, manifest and signature included, sent and received: see {@code batch.BatchLimits}. */
    public int maxEntries() {
        return positiveInt("poolpair.import.max-entries", 1000);
    }

    private static final long MIN_BATCH_BYTES = 4L << 20;

    /**
     * A batch of a module holds up to two row entries per table, the key times of a failover, its manifest and its
     * signature, and one content file at least: fewer entries allowed would make batches the peer must reject.
     */
    private void checkEntriesFitModules() {
        for (ModuleConfig module : modules()) {
            int needed = 2 * module.tables().size() + 4;
            if (maxEntries() < needed) {
                throw new ConfigException("poolpair.import.max-entries = " + maxEntries() + " is too small for module "
                        + module.name() + " (" + module.tables().size() + " tables): a batch may need " + needed
                        + " entries; set at least " + needed);
            }
        }
    }

    public int maxCompressionRatio() {
        return positiveInt("poolpair.import.max-compression-ratio", 200);
    }

    /** The configured modules in the order given by {@code poolpair.modules}. */
    public List<ModuleConfig> modules() {
        List<String> names = list("poolpair.modules");
        if (names.isEmpty()) {
            throw new ConfigException("poolpair.modules is empty: name at least one module, e.g. UserServices.PresenceFocus");
        }
        List<ModuleConfig> modules = new ArrayList<>();
        Set<String> seenTables = new LinkedHashSet<>();
        for (String name : names) {
            if (!MODULE_NAME.matcher(name).matches()) {
                throw new ConfigException("poolpair.modules: module '" + name + "' must look like Category.Module"
                        + " (letters, digits, '_', one dot)");
            }
            String tablesKey = "poolpair.module." + name + ".tables";
            List<String> tables = list(tablesKey);
            if (tables.isEmpty()) {
                throw new ConfigException(tablesKey + " is missing: list the tables of module " + name);
            }
            for (String table : tables) {
                if (!TABLE_NAME.matcher(table).matches()) {
                    throw new ConfigException(tablesKey + ": '" + table + "' is not a plain table name");
                }
                if (!seenTables.add(table.toLowerCase())) {
                    throw new ConfigException(tablesKey + ": table " + table + " is already replicated by another module");
                }
            }
            String owner = get("poolpair.module." + name + ".owner-column", "");
            String contentDir = get("poolpair.module." + name + ".content-dir", "");
            String contentTable = get("poolpair.module." + name + ".content-table", contentDir.isEmpty() ? "" : tables.get(0));
            if (!contentTable.isEmpty() && !tables.contains(contentTable)) {
                throw new ConfigException("poolpair.module." + name + ".content-table = " + contentTable
                        + ": not one of the module's tables " + tables);
            }
            String ownerPoolKey = "poolpair.module." + name + ".owner-pool";
            String ownerPool = get(ownerPoolKey, "");
            if (owner.isEmpty() && ownerPool.isEmpty()) {
                throw new ConfigException("module " + name + " names no owner of its rows: set poolpair.module." + name
                        + ".owner-column = <the column naming each row's pool> or " + ownerPoolKey + " = <" + pool()
                        + " or " + peer() + ", the pool whose rows these are> (without either, a full sync from one pool"
                        + " would delete the other's rows)");
            }
            if (!owner.isEmpty() && !ownerPool.isEmpty()) {
                throw new ConfigException(ownerPoolKey + " = " + ownerPool + " and poolpair.module." + name
                        + ".owner-column = " + owner + ": name one owner, the column or the pool");
            }
            if (!ownerPool.isEmpty() && !ownerPool.equals(pool()) && !ownerPool.equals(peer())) {
                throw new ConfigException(ownerPoolKey + " = " + ownerPool + " is neither this pool (" + pool()
                        + ") nor its peer (" + peer() + ")");
            }
            modules.add(new ModuleConfig(name, List.copyOf(tables), owner.isEmpty() ? Optional.empty() : Optional.of(owner),
                    contentDir.isEmpty() ? Optional.empty() : Optional.of(resolvePath(contentDir)),
                    contentDir.isEmpty() ? Optional.empty() : Optional.of(contentTable),
                    ownerPool.isEmpty() ? Optional.empty() : Optional.of(ownerPool)));
        }
        return modules;
    }

    /**
     * {@code poolpair.module.<M>.content-size-column}: the content table's column holding each file's size in bytes.
     * A row whose file is smaller (still being written) or missing waits instead of travelling without it. Empty
     * when not set (then only a missing file waits).
     */
    public Optional<String> contentSizeColumn(String module) {
        String column = get("poolpair.module." + module + ".content-size-column", "").trim();
        if (!column.isEmpty() && !TABLE_NAME.matcher(column).matches()) {
            throw new ConfigException("poolpair.module." + module + ".content-size-column = " + column
                    + ": not a plain column name");
        }
        return column.isEmpty() ? Optional.empty() : Optional.of(column);
    }

    public ModuleConfig module(String name) {
        return modules().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("module " + name + " is not configured (poolpair.modules)"));
    }

    // ------------------------------------------------------------------ raw access

    public String get(String key) {
        return values.get(key);
    }

    public String get(String key, String fallback) {
        String v = values.get(key);
        return v == null ? fallback : v;
    }

    public String source(String key) {
        return sources.getOrDefault(key, "derived");
    }

    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    /** Everything Camel needs as properties: all keys plus values derived for the routes. */
    public Properties camelProperties() {
        Properties props = new Properties();
        values.forEach(props::setProperty);
        // secrets the routes never use stay out of Camel's property sources
        for (String secret : List.of("poolpair.key", "poolpair.http.token", "poolpair.datasource.password")) {
            props.remove(secret);
        }
        props.setProperty("poolpair.share.local", shareLocal().toString());
        PeerShare peer = peerShare();
        // a remote share's secrets go in properties of their own (poolpair.share.peer.password, ...), which
        // Camel masks when it logs them; the URIs refer to them by placeholder
        String endpoint = peer.endpointWithSecretPlaceholders("poolpair.share.peer.");
        peer.secrets("poolpair.share.peer.").forEach(props::setProperty);
        props.setProperty("poolpair.share.peer", peer.remote() ? endpoint : peer.folder().toString());
        props.setProperty("poolpair.share.peer-endpoint", endpoint);
        props.setProperty("poolpair.outbox", outbox().toString());
        props.setProperty("poolpair.sync-interval-ms", Long.toString(syncInterval().toMillis()));
        props.setProperty("poolpair.import.poll-delay-ms", Long.toString(importPollDelay().toMillis()));
        return props;
    }

    private String require(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key + " is missing");
        }
        return v;
    }

    private Path path(String key) {
        String v = require(key);
        if (v.startsWith("file:")) {
            v = v.substring("file:".length());
        } else if (v.matches("^[a-z][a-z0-9+.-]*:.*") && !v.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new ConfigException(key + " = " + v + ": only local folders (or file: URIs) are supported as shares");
        }
        return resolvePath(v);
    }

    private Path resolvePath(String v) {
        return Path.of(v).toAbsolutePath().normalize();
    }

    private Duration duration(String key) {
        String v = require(key);
        try {
            Duration d = Duration.parse(v);
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(key + " = " + v + ": must be positive");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(key + " = " + v + ": not an ISO-8601 duration (examples: PT5S, PT2M, PT1H)", e);
        }
    }

    private int positiveInt(String key, int fallback) {
        long v = positiveLong(key, fallback);
        if (v > Integer.MAX_VALUE) {
            throw new ConfigException(key + " = " + v + ": too large");
        }
        return (int) v;
    }

    private long positiveLong(String key, long fallback) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n <= 0) {
                throw new ConfigException(key + " = " + v + ": must be a positive whole number");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " = " + v + ": must be a positive whole number", e);
        }
    }

    private List<String> list(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Finds the folder holding {@code config/} and {@code routes/}. */
    public static Path locateHome() {
        String prop = System.getProperty("poolpair.home");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("routes")) && Files.isDirectory(cwd.resolve("config"))) {
            return cwd;
        }
        try {
            Path jar = Path.of(PoolConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/poolpair.jar or target/classes -> the project folder
            Path candidate = jar.getParent().getParent();
            if (candidate != null && Files.isDirectory(candidate.resolve("routes"))) {
                return candidate;
            }
        } catch (Exception ignored) {
            // fall through to the working directory
        }
        return cwd;
    }

}
