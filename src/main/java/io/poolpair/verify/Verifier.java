package io.poolpair.verify;

import io.poolpair.state.ChangeLog;
import io.poolpair.state.VerifyRecords;
import io.poolpair.Headers;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Signer;
import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.ExportState;
import io.poolpair.metrics.PoolPairMetrics;
import io.poolpair.store.TableCatalog;
import io.poolpair.store.TableInfo;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code verify}: proves this pool's and the peer's copies of a module equal, through the shares only.
 *
 * <p>Round 1: this pool sends the per-bucket summaries of every table ({@link RowDigest}); the peer sums its own
 * rows into the same buckets and answers with the buckets that differ and its rows in them (key, hash, owner).
 * This pool compares them with its own rows of those buckets: the keys whose hashes differ are candidates.
 * Round 2: both pools hash the candidates again and name the keys with a captured change not yet acknowledged.
 * A key is reported as different only when both pools' hashes stayed the same over both rounds and neither pool
 * has it in flight; any other candidate was changing meanwhile and is reported in flight, never as different.
 * (A change that stays unacknowledged across both rounds shows in a pending list read after one of the hashes.)
 *
 * <p>Repair: the differing rows this pool owns are captured again as ordinary changes ({@code pp_change}, op U),
 * so the next export cycle (run at once) ships each row as it is here, or its delete when this pool no longer
 * holds it, with its file for a content row. Rows the peer owns are left to the peer's own {@code verify --repair}.
 *
 * <p>One class over 300 lines because it is the verification protocol, both of its sides: the requests a pool sends
 * and the answers it gives meet in one table of waiting requests and one count of bytes sent, and the two rounds
 * above read as one sequence here; hashing ({@link RowHasher}), scanning ({@link RowDigest}), the file format
 * ({@link VerifyFile}) and the records ({@code state/VerifyRecords}) are their own classes.
 */
public final class Verifier {

    public static final String ANSWER_HEADER = Headers.VERIFY_ANSWER;
    public static final String VERIFY_FOLDER = io.poolpair.share.ShareLayout.VERIFY;
    /** Keys listed per table in a report (all differences are counted, and repaired). */
    static final int LISTED_KEYS = 1000;
    /** A request older than this is not answered (nobody waits for it any more). */
    static final Duration STALE = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

    private final PoolConfig config;
    private final DataSource dataSource;
    private final TableCatalog catalog;
    private final RowDigest digest;
    private final Signer signer;
    private final PoolPairMetrics metrics;
    private final Map<String, CompletableFuture<VerifyMessage>> waiting = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();

    public Verifier(PoolConfig config, DataSource dataSource, TableCatalog catalog, RowDigest digest, Signer signer,
                    PoolPairMetrics metrics) {
        this.config = config;
        this.dataSource = dataSource;
        this.catalog = catalog;
        this.digest = digest;
        this.signer = signer;
        this.metrics = metrics;
    }

    /** Raised when the peer does not answer in time. */
    public static final class NoAnswerException extends RuntimeException {
        NoAnswerException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- the requesting pool

    /** {@code POST /poolpair/verify?module=M&table=T&repair=true&wait=true&timeout=PT10M}: the report as JSON. */
    public String http(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        String timeout = msg.getHeader("timeout", String.class);
        Duration wait;
        try {
            wait = timeout == null || timeout.isBlank() ? Duration.ofMinutes(10) : Duration.parse(timeout);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("timeout = " + timeout + ": not an ISO-8601 duration such as PT10M");
        }
        return verify(exchange.getContext(), msg.getHeader("module", String.class), msg.getHeader("table", String.class),
                Boolean.parseBoolean(msg.getHeader("repair", String.class)), Boolean.parseBoolean(msg.getHeader("wait", String.class)),
                wait).toJson();
    }

    /**
     * Verifies {@code module} (null or All: every module), only {@code table} when given; with {@code repair}, queues
     * the differing rows this pool owns for export; with {@code wait}, first lets what is pending here be acknowledged
     * and, after a repair, waits for it to be acknowledged and verifies again.
     */
    public VerifyReport verify(CamelContext context, String module, String table, boolean repair, boolean wait,
                               Duration timeout) throws Exception {
        Map<String, List<TableInfo>> selection = select(module, table);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (wait) {
            settle(context, selection.keySet(), deadline);
        }
        List<VerifyReport.ModuleResult> results = new ArrayList<>();
        for (Map.Entry<String, List<TableInfo>> m : selection.entrySet()) {
            results.add(verifyModule(context, m.getKey(), m.getValue(), repair, remaining(deadline)));
        }
        List<VerifyReport.ModuleResult> after = null;
        if (repair && wait && results.stream().anyMatch(r -> r.repairQueued() > 0)) {
            settle(context, selection.keySet(), deadline);
            after = new ArrayList<>();
            for (Map.Entry<String, List<TableInfo>> m : selection.entrySet()) {
                after.add(verifyModule(context, m.getKey(), m.getValue(), false, remaining(deadline)));
            }
        }
        return new VerifyReport(config.pool(), config.peer(), Instant.now(), repair, results, after);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
    }

    private Map<String, List<TableInfo>> select(String module, String table) {
        Map<String, List<TableInfo>> selection = new LinkedHashMap<>();
        boolean all = module == null || module.isBlank() || module.equalsIgnoreCase("All");
        for (ModuleConfig m : config.modules()) {
            if (!all && !m.name().equals(module)) {
                continue;
            }
            List<TableInfo> tables = catalog.tables(m.name()).stream()
                    .filter(t -> table == null || table.isBlank() || t.name().equalsIgnoreCase(table)).toList();
            if (!tables.isEmpty()) {
                selection.put(m.name(), tables);
            }
        }
        if (selection.isEmpty()) {
            if (!all && config.modules().stream().noneMatch(m -> m.name().equals(module))) {
                throw new IllegalArgumentException("unknown module '" + module + "'; configured: "
                        + config.modules().stream().map(ModuleConfig::name).toList());
            }
            throw new IllegalArgumentException("table '" + table + "' is not replicated in " + (all ? "any module" : module)
                    + "; replicated: " + catalog.all().stream().map(TableInfo::name).toList());
        }
        return selection;
    }

    /** Runs an export cycle of each module and waits until the peer acknowledged everything exported. */
    private void settle(CamelContext context, Set<String> modules, long deadline) throws Exception {
        ExportState state = new ExportState(dataSource);
        ProducerTemplate template = context.createProducerTemplate();
        try {
            for (String m : modules) {
                template.sendBody("direct:sync", m);
            }
        } finally {
            template.stop();
        }
        for (String m : modules) {
            while (true) {
                ExportState.Snapshot s = state.get(m);
                if (s.ackedBatch() >= s.lastBatch()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new NoAnswerException(config.peer() + " has not acknowledged batch " + s.lastBatch() + " of " + m
                            + " (acknowledged: " + s.ackedBatch() + ") in time: see poolpair status");
                }
                Thread.sleep(200);
            }
        }
    }

    /** One candidate key's rows over both rounds, on both pools (null: the pool does not hold it). */
    private static final class Candidate {
        VerifyMessage.Row here1;
        VerifyMessage.Row peer1;
        VerifyMessage.Row here2;
        VerifyMessage.Row peer2;
    }

    /** The state of one table during a verification. */
    private static final class TableRun {
        final TableInfo table;
        int buckets;
        long rowsHere;
        long rowsPeer;
        long chunksDiffering;
        boolean tooMany;
        final Map<String, Candidate> candidates = new LinkedHashMap<>();
        final Set<String> inFlight = new HashSet<>();
        final List<VerifyReport.Difference> differences = new ArrayList<>();
        final List<String> inFlightKeys = new ArrayList<>();

        TableRun(TableInfo table) {
            this.table = table;
        }
    }

    private VerifyReport.ModuleResult verifyModule(CamelContext context, String module, List<TableInfo> tables, boolean repair,
                                                   Duration timeout) throws Exception {
        Instant started = Instant.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = UUID.randomUUID().toString();
        Map<String, TableRun> runs = new LinkedHashMap<>();
        List<VerifyMessage.TableMessage> asked = new ArrayList<>();
        Map<String, RowDigest.Summary> mine = new HashMap<>();
        for (TableInfo t : tables) {
            TableRun run = new TableRun(t);
            long rows = digest.count(t);
            run.buckets = (int) Math.min(RowDigest.MAX_BUCKETS, Math.max(1, (rows + config.verifyChunkRows() - 1)
                    / config.verifyChunkRows()));
            RowDigest.Summary s = digest.summarize(t, run.buckets);
            run.rowsHere = s.rows();
            mine.put(t.name(), s);
            runs.put(t.name(), run);
            asked.add(new VerifyMessage.TableMessage(t.name(), run.buckets, s.counts(), s.sumsA(), s.sumsB(), null, null, null,
                    null, null, null));
        }
        VerifyMessage answer1 = ask(context, new VerifyMessage(VerifyMessage.FORMAT, VerifyMessage.REQUEST, id, 1, config.pool(),
                config.peer(), module, Instant.now().toString(), asked), deadline);
        boolean second = false;
        for (TableRun run : runs.values()) {
            VerifyMessage.TableMessage t = tableOf(answer1, run.table.name());
            run.rowsPeer = t.rowCount() == null ? 0 : t.rowCount();
            Set<Integer> differing = new HashSet<>();
            for (Integer b : t.differingBuckets() == null ? List.<Integer>of() : t.differingBuckets()) {
                if (b == null || b < 0 || b >= run.buckets) {
                    throw new IllegalStateException(config.peer() + " answered with bucket " + b + " of " + run.buckets);
                }
                differing.add(b);
            }
            run.chunksDiffering = differing.size();
            if (differing.isEmpty()) {
                continue;
            }
            if (Boolean.TRUE.equals(t.truncated())) {
                run.tooMany = true;
                continue;
            }
            Map<String, RowDigest.RowHash> here = digest.rowsInBuckets(run.table, run.buckets, differing,
                    config.verifyMaxListedRows());
            if (here == null) {
                run.tooMany = true;
                continue;
            }
            Map<String, VerifyMessage.Row> peer = normalized(run.table, t.rows());
            run.inFlight.addAll(normalizedKeys(run.table, t.inFlight()));
            Set<String> keys = new LinkedHashSet<>(here.keySet());
            keys.addAll(peer.keySet());
            for (String k : keys) {
                VerifyMessage.Row h = here.containsKey(k) ? here.get(k).toRow() : null;
                VerifyMessage.Row p = peer.get(k);
                if (!Objects.equals(hash(h), hash(p))) {
                    Candidate c = new Candidate();
                    c.here1 = h;
                    c.peer1 = p;
                    run.candidates.put(k, c);
                }
            }
            if (run.candidates.size() > config.verifyMaxListedRows()) {
                run.tooMany = true;
                run.candidates.clear();
            }
            second |= !run.candidates.isEmpty();
        }
        if (second) {
            List<VerifyMessage.TableMessage> recheck = new ArrayList<>();
            for (TableRun run : runs.values()) {
                if (run.candidates.isEmpty()) {
                    continue;
                }
                Map<String, RowDigest.RowHash> here = digest.rowsByKeys(run.table, run.candidates.keySet());
                here.forEach((k, row) -> {
                    Candidate c = run.candidates.get(k);
                    if (c != null) {
                        c.here2 = row.toRow();
                    }
                });
                // read after this pool's second hash: a change of its own still unacknowledged when the peer hashes next
                run.inFlight.addAll(digest.inFlight(run.table, run.candidates::containsKey));
                recheck.add(new VerifyMessage.TableMessage(run.table.name(), null, null, null, null,
                        new ArrayList<>(run.candidates.keySet()), null, null, null, null, null));
            }
            VerifyMessage answer2 = ask(context, new VerifyMessage(VerifyMessage.FORMAT, VerifyMessage.REQUEST, id, 2, config.pool(),
                    config.peer(), module, Instant.now().toString(), recheck), deadline);
            for (TableRun run : runs.values()) {
                if (run.candidates.isEmpty()) {
                    continue;
                }
                VerifyMessage.TableMessage t = tableOf(answer2, run.table.name());
                normalized(run.table, t.rows()).forEach((k, row) -> {
                    Candidate c = run.candidates.get(k);
                    if (c != null) {
                        c.peer2 = row;
                    }
                });
                run.inFlight.addAll(normalizedKeys(run.table, t.inFlight()));
                classify(run);
            }
        }
        long queued = 0;
        if (repair) {
            queued = queueRepair(module, runs.values());
            if (queued > 0) {
                ProducerTemplate template = context.createProducerTemplate();
                try {
                    template.sendBody("direct:sync", module);
                } finally {
                    template.stop();
                }
            }
        }
        return finish(module, started, runs.values(), queued);
    }

    /** Decides each candidate of a table: different (stable on both pools, in flight on neither), or in flight. */
    private void classify(TableRun run) {
        for (Map.Entry<String, Candidate> e : run.candidates.entrySet()) {
            String key = e.getKey();
            Candidate c = e.getValue();
            if (Objects.equals(hash(c.here2), hash(c.peer2))) {
                continue; // equal now: it settled between the rounds
            }
            if (run.inFlight.contains(key) || !Objects.equals(hash(c.here1), hash(c.here2))
                    || !Objects.equals(hash(c.peer1), hash(c.peer2))) {
                run.inFlightKeys.add(key);
                continue;
            }
            String owner = c.here2 != null && c.here2.owner() != null ? c.here2.owner()
                    : c.peer2 != null && c.peer2.owner() != null ? c.peer2.owner()
                    : c.here2 != null ? config.pool() : config.peer();
            boolean ownHere = owner.equals(config.pool());
            VerifyMessage.Row ownerRow = ownHere ? c.here2 : c.peer2;
            VerifyMessage.Row copyRow = ownHere ? c.peer2 : c.here2;
            String kind = ownerRow != null && copyRow == null ? "missing" : ownerRow == null ? "extra" : "different";
            run.differences.add(new VerifyReport.Difference(run.table.name(), key, owner, kind,
                    ownHere ? config.peer() : config.pool()));
        }
    }

    private static String hash(VerifyMessage.Row row) {
        return row == null ? null : row.hash();
    }

    /** Captures the differing rows this pool owns again, so the next export cycle sends them as they are here. */
    private long queueRepair(String module, Iterable<TableRun> runs) throws SQLException {
        Map<String, List<String>> owned = new LinkedHashMap<>();
        for (TableRun run : runs) {
            for (VerifyReport.Difference d : run.differences) {
                if (d.owner().equals(config.pool())) {
                    owned.computeIfAbsent(run.table.name(), t -> new ArrayList<>()).add(d.key());
                }
            }
        }
        long queued = new ChangeLog(dataSource).queueRepair(module, owned);
        if (queued > 0) {
            LOG.info("verify --repair: {} row(s) of {} owned by {} captured again for export to {}", queued, module, config.pool(),
                    config.peer());
        }
        return queued;
    }

    private VerifyReport.ModuleResult finish(String module, Instant started, Iterable<TableRun> runs, long queued)
            throws SQLException {
        List<VerifyReport.TableResult> tables = new ArrayList<>();
        long chunks = 0;
        long rows = 0;
        long differences = 0;
        long inFlight = 0;
        long peerOwned = 0;
        boolean incomplete = false;
        StringBuilder summary = new StringBuilder();
        for (TableRun run : runs) {
            chunks += run.buckets;
            rows += Math.max(run.rowsHere, run.rowsPeer);
            differences += run.differences.size();
            inFlight += run.inFlightKeys.size();
            peerOwned += run.differences.stream().filter(d -> !d.owner().equals(config.pool())).count();
            incomplete |= run.tooMany;
            tables.add(new VerifyReport.TableResult(run.table.name(), run.buckets, run.chunksDiffering, run.rowsHere, run.rowsPeer,
                    run.differences.size(), run.inFlightKeys.size(), run.tooMany,
                    run.differences.subList(0, Math.min(LISTED_KEYS, run.differences.size())),
                    run.inFlightKeys.subList(0, Math.min(LISTED_KEYS, run.inFlightKeys.size()))));
            if (run.tooMany || !run.differences.isEmpty()) {
                summary.append(summary.length() == 0 ? "" : "; ").append(run.table.name()).append(": ")
                        .append(run.tooMany ? "too many differences to list" : run.differences.size() + " differ");
            }
        }
        String result = incomplete ? "incomplete" : differences > 0 ? "differ" : "equal";
        if (summary.length() == 0) {
            summary.append(rows).append(" rows equal").append(inFlight > 0 ? ", " + inFlight + " in flight" : "");
        }
        VerifyReport.ModuleResult m = new VerifyReport.ModuleResult(module, result, Instant.now(),
                Duration.between(started, Instant.now()).toSeconds(), chunks, rows, differences, inFlight, queued, peerOwned,
                tables);
        VerifyRecords.record(dataSource, new VerifyRecords.LastVerification(module, m.verifiedAt(), result, rows, differences,
                inFlight, queued, summary.toString()));
        if (metrics != null) {
            metrics.verified(module, differences);
        }
        LOG.info("verify {} against {}: {} ({} rows, {} chunks, {} differ, {} in flight)", module, config.peer(), result, rows,
                chunks, differences, inFlight);
        return m;
    }

    private Map<String, VerifyMessage.Row> normalized(TableInfo table, List<VerifyMessage.Row> rows) {
        Map<String, VerifyMessage.Row> byKey = new LinkedHashMap<>();
        for (VerifyMessage.Row row : rows == null ? List.<VerifyMessage.Row>of() : rows) {
            String key = normalKeyOrNull(table, row.key());
            if (key != null && row.hash() != null) {
                byKey.put(key, new VerifyMessage.Row(key, row.hash(), row.owner()));
            }
        }
        return byKey;
    }

    private Set<String> normalizedKeys(TableInfo table, List<String> keys) {
        Set<String> set = new HashSet<>();
        for (String k : keys == null ? List.<String>of() : keys) {
            String key = normalKeyOrNull(table, k);
            if (key != null) {
                set.add(key);
            }
        }
        return set;
    }

    private static String normalKeyOrNull(TableInfo table, String key) {
        try {
            return RowDigest.normalKey(RowDigest.parseKey(key, table.primaryKey()), table.primaryKey());
        } catch (BatchRejectedException | RuntimeException e) {
            return null;
        }
    }

    private VerifyMessage.TableMessage tableOf(VerifyMessage answer, String table) {
        return answer.tables().stream().filter(t -> table.equals(t.table())).findFirst().orElseThrow(() ->
                new IllegalStateException(config.peer() + "'s verification answer lacks table " + table
                        + ": is it replicated there (poolpair.module.*.tables)?"));
    }

    /** Publishes a request into the peer's share and waits for the answer that the verify-files route hands over. */
    private VerifyMessage ask(CamelContext context, VerifyMessage request, long deadline) throws Exception {
        String name = VerifyFile.fileName(request);
        CompletableFuture<VerifyMessage> answer = new CompletableFuture<>();
        waiting.put(request.id() + "/" + request.round(), answer);
        try {
            ProducerTemplate template = context.createProducerTemplate();
            try {
                byte[] bytes = VerifyFile.write(request, signer);
                template.sendBodyAndHeader("direct:publish-verify-file", bytes, Exchange.FILE_NAME,
                        config.module(request.module()).folder() + "/" + VERIFY_FOLDER + "/" + name);
                bytesWritten.addAndGet(bytes.length);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new NoAnswerException("cannot write the verification request into " + config.peer() + "'s share"
                        + " (poolpair.share.peer): " + cause.getMessage() + "; is the share reachable from here?");
            } finally {
                template.stop();
            }
            try {
                return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new NoAnswerException(config.peer() + " did not answer verification request " + name + " of "
                        + request.module() + " in time: its service must be running (its routes answer from its share),"
                        + " and its answer comes into this pool's share; see its status and log");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        } finally {
            waiting.remove(request.id() + "/" + request.round());
        }
    }

    /** Bytes of the verification files this pool has written into the peer's share (requests and answers). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    // ---------------------------------------------------------------- both pools: a file in this pool's Verify folders

    /**
     * Route {@code verify-files}: reads the private copy of a verification file (rejected files go to quarantine),
     * removes it from the share, and either answers a request (the body becomes the answer's bytes, the
     * {@code CamelFileName} its place in the peer's share, {@link #ANSWER_HEADER} true) or hands a response to the
     * verification waiting for it.
     */
    public void handle(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        String name = msg.getHeader(Exchange.FILE_NAME_ONLY, String.class);
        msg.setHeader(ANSWER_HEADER, false);
        if (name == null || !VerifyFile.wellNamed(name)) {
            throw new BatchRejectedException("'" + name + "' is not the name of a verification file"
                    + " (<pool>-<uuid>-<round>.request.zip or .response.zip)");
        }
        File copy = msg.getBody(File.class);
        VerifyMessage message;
        try (InputStream in = Files.newInputStream(copy.toPath())) {
            message = VerifyFile.read(in, signer, maxJsonBytes());
        }
        check(message, name, msg.getHeader(Headers.MODULE, String.class));
        File shared = msg.getHeader(Headers.SHARE_FILE, File.class);
        if (shared != null) {
            Files.deleteIfExists(shared.toPath());
        }
        Files.deleteIfExists(copy.toPath());
        msg.setBody(null);
        if (message.kind().equals(VerifyMessage.RESPONSE)) {
            CompletableFuture<VerifyMessage> waiter = waiting.get(message.id() + "/" + message.round());
            if (waiter == null) {
                LOG.warn("verification answer {} from {}: no verification waits for it (timed out, or of an earlier run);"
                        + " dropped", name, message.fromPool());
            } else {
                waiter.complete(message);
            }
            return;
        }
        Instant created = Instant.parse(message.createdAt());
        if (created.isBefore(Instant.now().minus(STALE))) {
            LOG.warn("verification request {} from {} was made at {}, over {} ago: nobody waits for it, not answered", name,
                    message.fromPool(), created, STALE);
            return;
        }
        VerifyMessage answer = answer(message);
        byte[] bytes = VerifyFile.write(answer, signer);
        bytesWritten.addAndGet(bytes.length);
        msg.setBody(bytes);
        msg.setHeader(Exchange.FILE_NAME, config.module(answer.module()).folder() + "/" + VERIFY_FOLDER + "/"
                + VerifyFile.fileName(answer));
        msg.setHeader(ANSWER_HEADER, true);
    }

    /** Everything a file must satisfy before it is acted on; a failure quarantines it. */
    private void check(VerifyMessage m, String name, String folderModule) throws BatchRejectedException {
        if (!m.kind().equals(VerifyMessage.REQUEST) && !m.kind().equals(VerifyMessage.RESPONSE)) {
            throw new BatchRejectedException("verification file of unknown kind '" + m.kind() + "'");
        }
        if (!m.fromPool().equals(config.peer()) || !m.toPool().equals(config.pool())) {
            throw new BatchRejectedException("verification file from " + m.fromPool() + " to " + m.toPool() + ", not from "
                    + config.peer() + " to " + config.pool());
        }
        if (!m.module().equals(folderModule)) {
            throw new BatchRejectedException("verification file of module " + m.module() + " lies in the folder of "
                    + folderModule);
        }
        if (!name.equals(VerifyFile.fileName(m))) {
            throw new BatchRejectedException("verification file named " + name + " holds " + VerifyFile.fileName(m));
        }
        try {
            Instant.parse(m.createdAt());
        } catch (RuntimeException e) {
            throw new BatchRejectedException("verification file: createdAt '" + m.createdAt() + "' is not an instant");
        }
        if (m.round() != 1 && m.round() != 2) {
            throw new BatchRejectedException("verification file of round " + m.round() + " (1 or 2)");
        }
        List<String> tables = config.module(m.module()).tables();
        Set<String> seen = new HashSet<>();
        for (VerifyMessage.TableMessage t : m.tables()) {
            if (t.table() == null || !tables.contains(t.table()) || !seen.add(t.table())) {
                throw new BatchRejectedException("verification file names table '" + t.table() + "', not (once) a table of "
                        + m.module());
            }
            if (m.kind().equals(VerifyMessage.RESPONSE)) {
                continue;
            }
            TableInfo table = catalog.table(t.table());
            if (m.round() == 1) {
                Integer n = t.buckets();
                if (n == null || n < 1 || n > RowDigest.MAX_BUCKETS || t.counts() == null || t.sumsA() == null
                        || t.sumsB() == null || t.counts().length != n || t.sumsA().length != n || t.sumsB().length != n) {
                    throw new BatchRejectedException("verification request: table " + t.table() + " needs 1.."
                            + RowDigest.MAX_BUCKETS + " buckets, each with a count and two sums");
                }
            } else {
                if (t.keys() == null || t.keys().size() > config.verifyMaxListedRows()) {
                    throw new BatchRejectedException("verification request: table " + t.table() + " needs at most "
                            + config.verifyMaxListedRows() + " keys (poolpair.verify.max-listed-rows)");
                }
                for (String key : t.keys()) {
                    RowDigest.parseKey(key, table.primaryKey());
                }
            }
        }
    }

    /** The peer's request answered from this pool's rows. */
    VerifyMessage answer(VerifyMessage request) throws Exception {
        List<VerifyMessage.TableMessage> tables = new ArrayList<>();
        for (VerifyMessage.TableMessage t : request.tables()) {
            TableInfo table = catalog.table(t.table());
            if (request.round() == 1) {
                int n = t.buckets();
                RowDigest.Summary s = digest.summarize(table, n);
                List<Integer> differing = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (!s.sameBucket(i, t.counts()[i], t.sumsA()[i], t.sumsB()[i])) {
                        differing.add(i);
                    }
                }
                Set<Integer> which = new HashSet<>(differing);
                Map<String, RowDigest.RowHash> rows = which.isEmpty() ? Map.of()
                        : digest.rowsInBuckets(table, n, which, config.verifyMaxListedRows());
                // read after the hashes: a change of this pool's own not yet acknowledged
                Set<String> inFlight = which.isEmpty() ? Set.of()
                        : digest.inFlight(table, k -> which.contains(RowDigest.bucket(k, n)));
                boolean truncated = rows == null || inFlight.size() > config.verifyMaxListedRows();
                tables.add(new VerifyMessage.TableMessage(t.table(), n, null, null, null, null, s.rows(), differing,
                        truncated ? List.of() : rows.values().stream().map(RowDigest.RowHash::toRow).toList(), truncated,
                        truncated ? List.of() : new ArrayList<>(inFlight)));
            } else {
                Map<String, RowDigest.RowHash> rows = digest.rowsByKeys(table, t.keys());
                Set<String> asked = new HashSet<>(normalizedKeys(table, t.keys()));
                Set<String> inFlight = digest.inFlight(table, asked::contains);
                tables.add(new VerifyMessage.TableMessage(t.table(), null, null, null, null, null, null, null,
                        rows.values().stream().map(RowDigest.RowHash::toRow).toList(), false, new ArrayList<>(inFlight)));
            }
        }
        LOG.info("answered verification request {} of {} from {} (round {})", request.id(), request.module(), request.fromPool(),
                request.round());
        return new VerifyMessage(VerifyMessage.FORMAT, VerifyMessage.RESPONSE, request.id(), request.round(), config.pool(),
                config.peer(), request.module(), Instant.now().toString(), tables);
    }

    /** The most JSON a verification file may hold: room for max-listed-rows rows and as many keys in flight. */
    private long maxJsonBytes() {
        return (16L << 20) + 2048L * config.verifyMaxListedRows();
    }
}
