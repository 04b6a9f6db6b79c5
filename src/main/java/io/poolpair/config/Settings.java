package io.poolpair.config;

import static io.poolpair.config.Setting.bool;
import static io.poolpair.config.Setting.duration;
import static io.poolpair.config.Setting.folder;
import static io.poolpair.config.Setting.list;
import static io.poolpair.config.Setting.optionalBool;
import static io.poolpair.config.Setting.optionalFile;
import static io.poolpair.config.Setting.optionalFolder;
import static io.poolpair.config.Setting.positiveInt;
import static io.poolpair.config.Setting.positiveLong;
import static io.poolpair.config.Setting.required;
import static io.poolpair.config.Setting.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The table of every {@code poolpair.*} key: each declared once, with its default, its check and its description.
 * Defaults live only here ({@code config/application.properties} holds what an integrator edits); the table section
 * of {@code docs/configuration.md} is generated from this class ({@link ConfigDoc}). A key that is neither here nor a
 * per-module key of {@link #MODULE_SETTINGS} stops start-up, naming the nearest key that is ({@link #nearest}).
 */
public final class Settings {

    private Settings() {
    }

    public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MAX_INTERVAL = Duration.ofHours(3);
    public static final long MIN_BATCH_BYTES = 4L << 20;
    static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,127}");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static Setting<String> poolName(String name, String description) {
        return required(name, description).check(v -> POOL_NAME.matcher(v).matches(),
                "use 1-64 letters, digits, '-' or '_'");
    }

    // ------------------------------------------------------------------ identity of the pair

    public static final Setting<String> HOME = text("poolpair.home", null, "the folder holding `config/` and `routes/`:"
            + " `-Dpoolpair.home`, else found from the working directory or the jar (set by the launcher, not in a file)");
    public static final Setting<String> POOL = poolName("poolpair.pool", "this pool's name: letters, digits, `-`, `_`");
    public static final Setting<String> PEER = poolName("poolpair.peer", "the paired pool's name");
    public static final Setting<Path> SHARE_LOCAL = folder("poolpair.share.local", null,
            "this pool's own share root (folder or `file:` URI); must exist");
    public static final Setting<String> SHARE_PEER = required("poolpair.share.peer", "the paired pool's share root: a"
            + " folder mounted here (it may be missing: batches and cookies wait in the outbox until it is back),"
            + " `sftp://user@host:port/path?options` or `smb://host:port/shareName[/path]?username=..&password=..` (see"
            + " [integration.md](integration.md#peer-shares-over-sftp-and-smb))");
    public static final Setting<Boolean> SHARE_INSECURE_SKIP_HOST_KEY_CHECK = bool(
            "poolpair.share.insecure-skip-host-key-check", "false", "`true` accepts any host key of an `sftp://` peer"
            + " share (whoever sits between the pools can then read and replace what is written); otherwise its query"
            + " needs `strictHostKeyChecking=yes` and `knownHostsFile=` (or `knownHostsUri=`, `knownHosts=`)");
    public static final Setting<String> KEY = text("poolpair.key", null, "the pair's shared secret, ≥ 32 bytes, the"
            + " same on both pools (or `poolpair.key-file`)");
    public static final Setting<Optional<Path>> KEY_FILE = optionalFile("poolpair.key-file",
            "a file holding the pair's key (make it with `poolpair keygen <file>`; used when `poolpair.key` is empty)");

    // ------------------------------------------------------------------ local state and store

    public static final Setting<Path> DATA_DIR = folder("poolpair.data-dir", "./data/${poolpair.pool}",
            "local state: store, outbox, quarantine, content, the generated HTTP token");
    public static final Setting<Path> OUTBOX = folder("poolpair.outbox", "${poolpair.data-dir}/outbox",
            "staged batches, kept until acknowledged");
    public static final Setting<Path> QUARANTINE = folder("poolpair.quarantine", "${poolpair.data-dir}/quarantine",
            "rejected files with `.reason` files");
    public static final Setting<Path> IMPORT_PRIVATE_DIR = folder("poolpair.import.private-dir",
            "${poolpair.data-dir}/import", "each batch is copied out of the share into this folder (0700), and verified"
            + " and applied from the copy");
    public static final Setting<String> DATASOURCE_URL = text("poolpair.datasource.url",
            "jdbc:h2:file:${poolpair.data-dir}/store;AUTO_SERVER=TRUE;WRITE_DELAY=0",
            "the pool's database (`jdbc:h2:...` or `jdbc:postgresql://host:5432/db`)")
            .check(v -> v.startsWith("jdbc:"), "expected a JDBC URL (jdbc:h2:... or jdbc:postgresql:...)");
    public static final Setting<String> DATASOURCE_USERNAME = text("poolpair.datasource.username", "sa",
            "the database user");
    public static final Setting<String> DATASOURCE_PASSWORD = text("poolpair.datasource.password", "", "the database"
            + " user's password. An H2 store (not `jdbc:h2:mem:`) with an empty password is refused at start-up: its"
            + " AUTO_SERVER port takes any local user's connection; set it (or `POOLPAIR_DATASOURCE_PASSWORD`) before"
            + " the store is first made (the demo and the tests write a random one)");
    public static final Setting<Integer> DATASOURCE_POOL_SIZE = positiveInt("poolpair.datasource.pool-size", "8",
            "connections in the store's pool");
    public static final Setting<Optional<Path>> DATASOURCE_INIT_SCRIPT = optionalFile("poolpair.datasource.init-script",
            "SQL run at start-up (`CREATE TABLE IF NOT EXISTS ...`), e.g. `config/sql/h2/demo-schema.sql`; a comment line"
                    + " `-- only if: <query>` right before a statement runs it only when the query's first value is true"
                    + " (DDL that changes nothing can still lock a table the applications write)");

    // ------------------------------------------------------------------ schedule and limits

    public static final Setting<Duration> SYNC_INTERVAL = duration("poolpair.sync-interval", "PT2M",
            "export schedule, ISO-8601, `PT5S` … `PT3H`")
            .check(d -> d.compareTo(MIN_INTERVAL) >= 0 && d.compareTo(MAX_INTERVAL) <= 0, "must be between PT5S and PT3H");
    public static final Setting<Boolean> EXPORT_ON_SCHEDULE = bool("poolpair.export.on-schedule", "true",
            "`false` leaves exports to the `sync` command (and `direct:sync`), e.g. during maintenance");
    public static final Setting<Integer> MAX_BATCHES_PER_SYNC = positiveInt("poolpair.max-batches-per-sync", "500",
            "batches cut per module per cycle");
    public static final Setting<Integer> MAX_CHANGES_PER_BATCH = positiveInt("poolpair.max-changes-per-batch", "10000",
            "captured changes per batch");
    public static final Setting<Long> MAX_DATACONF_PACKAGE_SIZE_KB = positiveLong("poolpair.max-dataconf-package-size-kb",
            "102400", "content (KiB) shipped per module and export cycle");
    public static final Setting<Optional<Boolean>> ENCRYPT = optionalBool("poolpair.encrypt", "encrypt batch entries at"
            + " rest on the share: AES-256-GCM under a key derived from the pair's key, in authenticated 64 KiB chunks"
            + " (the manifest stays readable and signed); empty: `true` for a remote peer share (`sftp://`, `smb://`),"
            + " `false` for a folder");
    public static final Setting<Duration> IMPORT_POLL_DELAY = duration("poolpair.import.poll-delay", "PT1S",
            "how often the share's Data and Cookie folders are polled; after a poll that applied (or skipped) a batch the"
            + " Data folder is polled again at once, so batches published meanwhile apply back to back");
    public static final Setting<Long> MAX_BATCH_BYTES = positiveLong("poolpair.import.max-batch-bytes", "1073741824",
            "bytes per batch (1 GiB; at least 4 MiB), the zip and what its entries decompress to: the exporter cuts its"
            + " batches to fit, the importer quarantines a larger one (see [batch limits](#batch-limits))")
            .check(n -> n >= MIN_BATCH_BYTES, "must be at least " + MIN_BATCH_BYTES
                    + " (4 MiB), so a batch holds its manifest and some rows");
    public static final Setting<Integer> MAX_ENTRIES = positiveInt("poolpair.import.max-entries", "1000", "zip entries"
            + " per batch (content files, up to two row entries per table, key times, manifest and signature): the"
            + " exporter cuts its batches to fit, the importer quarantines a zip with more; the count and the central"
            + " directory's size (at most 4142 bytes an entry) are read from the zip's end record before it is opened");
    public static final Setting<Integer> MAX_COMPRESSION_RATIO = positiveInt("poolpair.import.max-compression-ratio",
            "200", "an entry over 1 MiB that decompresses more than this many times its stored size is quarantined as"
            + " a zip bomb (the exporter refuses to publish such a batch)");
    public static final Setting<Duration> RESEND_AFTER = duration("poolpair.resend-after", "PT10M", "re-send a batch"
            + " missing from the peer's Data folder once its acknowledgement has not moved for this long");
    public static final Setting<Duration> FAILOVER_NOTICE_VALIDITY = duration("poolpair.failover.notice-validity",
            "PT24H", "how long a failover notice holds after it was written (at least three sync intervals; the acting"
            + " pool renews it every cycle): an older one is ignored");
    public static final Setting<Integer> VERIFY_CHUNK_ROWS = positiveInt("poolpair.verify.chunk-rows", "1000",
            "`verify`: rows per checksum bucket (a table of N rows is compared in N / this buckets)");
    public static final Setting<Integer> VERIFY_MAX_LISTED_ROWS = positiveInt("poolpair.verify.max-listed-rows",
            "100000", "`verify`: the most rows of one table a verification file lists (at most 10000000); a table with"
            + " more differences is reported `incomplete` (remedy: `sync --full` on the owning pool)")
            .check(n -> n <= 10_000_000, "at most 10000000 (a verification file holds that many rows; for more"
                    + " differences run sync --full on the owning pool)");

    // ------------------------------------------------------------------ several instances of one pool

    public static final Setting<Boolean> CLUSTER_ENABLED = bool("poolpair.cluster.enabled", "false", "several"
            + " instances of the pool (same PostgreSQL database, same share), one active at a time");
    public static final Setting<Duration> CLUSTER_LOCK_INTERVAL = duration("poolpair.cluster.lock-interval", "PT1S",
            "how often instances try the pool's lock and the active one renews its heartbeat (`PT0.5S` … `PT1M`)")
            .check(d -> d.compareTo(Duration.ofMillis(500)) >= 0 && d.compareTo(Duration.ofMinutes(1)) <= 0,
                    "must be between PT0.5S and PT1M");
    public static final Setting<Integer> CLUSTER_STALE_AFTER_INTERVALS = positiveInt(
            "poolpair.cluster.stale-after-intervals", "3", "lock intervals without a heartbeat after which a standby"
            + " takes over (≥ 2)").check(n -> n >= 2, "use 2 or more");
    public static final Setting<Optional<Path>> CLUSTER_ROOT = optionalFolder("poolpair.cluster.root",
            "folder of the pool's lock, shared by its instances; empty: `<share.local>/TaskAssignment`");
    public static final Setting<String> CLUSTER_SERVICE = text("poolpair.cluster.service", "file", "the election:"
            + " `file` (lock in `poolpair.cluster.root`) or `zookeeper` (an ensemble the site runs; file locks on SMB/NFS"
            + " are not reliable; see [architecture](architecture.md))").check(v -> v.equals("file") || v.equals("zookeeper"),
            "use file (a lock in the share) or zookeeper (set poolpair.cluster.zookeeper.nodes too)");
    public static final Setting<String> CLUSTER_ZOOKEEPER_NODES = text("poolpair.cluster.zookeeper.nodes", "",
            "the ensemble, `host:port[,host:port…]` (with `cluster.service = zookeeper`)")
            .check(v -> v.isEmpty() || v.matches("[A-Za-z0-9.\\-\\[\\]:]+:\\d+(,[A-Za-z0-9.\\-\\[\\]:]+:\\d+)*(/[A-Za-z0-9_/\\-]*)?"),
                    "name the ensemble as host:port[,host:port...] (poolpair.cluster.service = zookeeper)");
    public static final Setting<String> CLUSTER_ZOOKEEPER_BASE_PATH = text("poolpair.cluster.zookeeper.base-path",
            "/poolpair", "ZooKeeper path of the pools' elections (one child per pool)")
            .check(v -> v.matches("(/[A-Za-z0-9_.\\-]+)+"), "use an absolute ZooKeeper path such as /poolpair");

    // ------------------------------------------------------------------ operations

    public static final Setting<Boolean> HTTP_ENABLED = bool("poolpair.http.enabled", "true",
            "status, sync, health and metrics over HTTP");
    public static final Setting<Integer> HTTP_PORT = positiveInt("poolpair.http.port", "8080", "the HTTP port");
    public static final Setting<String> HTTP_HOST = text("poolpair.http.host", "127.0.0.1", "the address the HTTP server binds;"
            + " any address but loopback needs `poolpair.http.token` or `poolpair.http.token-file`")
            .check(v -> !v.isEmpty(), "name an address (127.0.0.1 keeps the endpoints on this machine)");
    public static final Setting<String> HTTP_TOKEN = text("poolpair.http.token", "", "the token state-changing requests"
            + " (`POST /poolpair/sync`) must send (at least 16 printable characters); empty (and no token file): the"
            + " service writes a random one into `<data-dir>/http.token` (0600), which the CLI on this host reads");
    public static final Setting<Optional<Path>> HTTP_TOKEN_FILE = optionalFile("poolpair.http.token-file",
            "or a file holding the token (set one of the two)");
    public static final Setting<Duration> RPO_ALERT = duration("poolpair.rpo-alert", "PT5M",
            "health is DOWN when the recovery point is older");
    public static final Setting<Duration> STATUS_HISTORY = duration("poolpair.status.history", "PT6H",
            "recovery-point samples kept in `pp_status_history`, and the span of the status page's chart");
    public static final Setting<Duration> STATUS_PAGE_REFRESH = duration("poolpair.status.page-refresh", "PT5S",
            "how often the status page reloads its data; while a backlog drains, also the least time between two status"
            + " samples taken after acknowledgements");

    // ------------------------------------------------------------------ modules

    public static final Setting<List<String>> MODULES = list("poolpair.modules", null, "modules, as `Category.Module`"
            + " (the share folders); `config/application.properties` names Lync's three");
    public static final Setting<List<String>> MODULE_TABLES = list("poolpair.module.<M>.tables", null,
            "tables of module M, in apply order (parents first)");
    public static final Setting<String> MODULE_OWNER_COLUMN = text("poolpair.module.<M>.owner-column", null,
            "column naming the pool a row belongs to (every table of the module must have it)");
    public static final Setting<String> MODULE_OWNER_POOL = text("poolpair.module.<M>.owner-pool", null, "for a module"
            + " without an owner column: the pool (this one or its peer) that owns all its rows. A module with neither"
            + " is refused at start-up, and so is one naming both. A full sync from the other pool holds none of the"
            + " module's rows and deletes none on the owner; writes made on the other pool still travel as deltas and"
            + " are flagged in status like writes to the peer's rows (`peerRowWrites`)");
    public static final Setting<Optional<Path>> MODULE_CONTENT_DIR = optionalFile("poolpair.module.<M>.content-dir",
            "folder of the module's files (makes it a content module)");
    public static final Setting<String> MODULE_CONTENT_TABLE = text("poolpair.module.<M>.content-table", null,
            "the table whose rows own the files; empty: the module's first table");
    public static final Setting<String> MODULE_CONTENT_SIZE_COLUMN = text("poolpair.module.<M>.content-size-column", null,
            "column of the content table holding each file's size: a row whose file is missing or not that large yet"
            + " (still being written) waits, captured again every cycle, and status shows `Content waiting`"
            + " (`contentWaiting`) naming the file; without it only a missing file waits")
            .check(v -> v.isEmpty() || TABLE_NAME.matcher(v).matches(), "not a plain column name");

    /** Every scalar key, in the order they are checked at load and listed in the documentation. */
    public static final List<Setting<?>> ALL = List.of(HOME, POOL, PEER, SHARE_LOCAL, SHARE_PEER,
            SHARE_INSECURE_SKIP_HOST_KEY_CHECK, KEY, KEY_FILE, DATA_DIR, OUTBOX, QUARANTINE, IMPORT_PRIVATE_DIR,
            DATASOURCE_URL, DATASOURCE_USERNAME, DATASOURCE_PASSWORD, DATASOURCE_POOL_SIZE, DATASOURCE_INIT_SCRIPT,
            SYNC_INTERVAL, EXPORT_ON_SCHEDULE, MAX_BATCHES_PER_SYNC, MAX_CHANGES_PER_BATCH, MAX_DATACONF_PACKAGE_SIZE_KB,
            ENCRYPT, IMPORT_POLL_DELAY, MAX_BATCH_BYTES, MAX_ENTRIES, MAX_COMPRESSION_RATIO, RESEND_AFTER,
            FAILOVER_NOTICE_VALIDITY, VERIFY_CHUNK_ROWS, VERIFY_MAX_LISTED_ROWS, CLUSTER_ENABLED, CLUSTER_LOCK_INTERVAL,
            CLUSTER_STALE_AFTER_INTERVALS, CLUSTER_ROOT, CLUSTER_SERVICE, CLUSTER_ZOOKEEPER_NODES,
            CLUSTER_ZOOKEEPER_BASE_PATH, HTTP_ENABLED, HTTP_PORT, HTTP_HOST, HTTP_TOKEN, HTTP_TOKEN_FILE, RPO_ALERT,
            STATUS_HISTORY, STATUS_PAGE_REFRESH, MODULES);

    /** The keys of each module ({@code poolpair.module.<M>.*}). */
    public static final List<Setting<?>> MODULE_SETTINGS = List.of(MODULE_TABLES, MODULE_OWNER_COLUMN, MODULE_OWNER_POOL,
            MODULE_CONTENT_DIR, MODULE_CONTENT_TABLE, MODULE_CONTENT_SIZE_COLUMN);

    /**
     * System properties named {@code poolpair.*} that are not configuration: the launcher's log folder, the pool file a
     * plain camel-main application names ({@code poolpair.config-file}, read by runtime's configuration class), and the
     * knobs of the test harness ({@code poolpair.test.*} and the few named here). They are left out of the configuration.
     */
    static final List<String> PROCESS_PROPERTIES = List.of("poolpair.log-dir", "poolpair.config-file", "poolpair.chromium",
            "poolpair.distribution", "poolpair.kills", "poolpair.cluster.kills");
    static final String TEST_PROPERTIES = "poolpair.test.";

    private static final String MODULE_PREFIX = "poolpair.module.";
    private static final Pattern MODULE_KEY = Pattern.compile("poolpair\\.module\\.([A-Za-z0-9_]+\\.[A-Za-z0-9_]+)\\.([^.]+)");

    /** Whether a {@code poolpair.share.peer} value names a transport (a URI scheme other than file:), not a folder. */
    static boolean remoteShare(String value) {
        return !value.startsWith("file:") && value.matches("^[a-z][a-z0-9+.-]*:.*") && !value.matches("^[A-Za-z]:[\\\\/].*");
    }

    /** Whether {@code key} is one of the table's keys (a scalar key, or a per-module key of a well-formed module name). */
    public static boolean known(String key) {
        if (ALL.stream().anyMatch(s -> s.name().equals(key))) {
            return true;
        }
        var m = MODULE_KEY.matcher(key);
        return m.matches() && MODULE_SETTINGS.stream().anyMatch(s -> s.forModule(m.group(1)).equals(key));
    }

    /** A system property that is not configuration ({@link #PROCESS_PROPERTIES}). */
    static boolean processProperty(String key) {
        return key.startsWith(TEST_PROPERTIES) || PROCESS_PROPERTIES.contains(key);
    }

    /** The known key nearest to {@code key} by edit distance (for a per-module key: of the same module). */
    public static String nearest(String key) {
        List<String> candidates = new ArrayList<>();
        ALL.forEach(s -> candidates.add(s.name()));
        if (key.startsWith(MODULE_PREFIX)) {
            String rest = key.substring(MODULE_PREFIX.length());
            int second = rest.indexOf('.', rest.indexOf('.') + 1);
            String module = second > 0 ? rest.substring(0, second) : rest;
            MODULE_SETTINGS.forEach(s -> candidates.add(s.forModule(module)));
        }
        return candidates.stream().min(Comparator.comparingInt((String c) -> distance(key, c))).orElseThrow();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
