package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.Signer;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import io.poolpair.verify.Verifier;
import io.poolpair.verify.VerifyFile;
import io.poolpair.verify.VerifyMessage;
import io.poolpair.verify.VerifyReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code verify}: both pools' copies compared by checksums exchanged through the shares, the differing keys named,
 * and {@code --repair} putting right the rows the verifying pool owns.
 */
class VerifyTest {

    private static final String DATACONF = "ConfServices.DataConf";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TwoPools start(String stores) throws Exception {
        StoreKind[] kinds = StoreKind.pair(stores);
        return TwoPools.start(dir, Map.of(), kinds[0].pool(A, "demo"), kinds[1].pool(B, "demo"));
    }

    private static Verifier verifier(PoolPairRuntime pool) {
        return pool.context().getRegistry().lookupByNameAndType("verifier", Verifier.class);
    }

    private static VerifyReport verify(PoolPairRuntime pool, String module, boolean repair, boolean wait) throws Exception {
        return verifier(pool).verify(pool.context(), module, null, repair, wait, TIMEOUT);
    }

    private static VerifyReport.ModuleResult module(VerifyReport report, String module) {
        return report.last().stream().filter(m -> m.module().equals(module)).findFirst().orElseThrow();
    }

    /** Each differing row as "table key kind owner wrongOn". */
    private static Set<String> differences(VerifyReport report) {
        return report.last().stream().flatMap(m -> m.tables().stream()).flatMap(t -> t.differingRows().stream())
                .map(d -> d.table() + " " + d.key() + " " + d.kind() + " " + d.owner() + " " + d.wrongOn())
                .collect(Collectors.toSet());
    }

    private static Path contentFile(PoolPairRuntime pool, long conference, String name) {
        return pool.config().module(DATACONF).contentDir().orElseThrow().resolve(conference + "/" + name);
    }

    /** Rows of every module homed on {@code pool}: contacts, a CMS document of every column type, a content file. */
    private static void writeRows(PoolPairRuntime pool, int conference) throws Exception {
        String p = pool.config().pool();
        for (int i = 1; i <= 5; i++) {
            TwoPools.insertContact(pool, "sip:owner@" + p, "sip:" + p + "-c" + i);
        }
        TwoPools.exec(pool, "INSERT INTO cms_document (doc_id, version, content, checksum, price, updated_at, home_pool)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", "doc-" + p, 3, "topology ü " + p, new byte[] {1, 2, (byte) 250},
                new java.math.BigDecimal("12.500"), Timestamp.valueOf("2026-11-30 07:00:00.123456"), p);
        byte[] bytes = new byte[4096];
        new Random(conference).nextBytes(bytes);
        Path file = contentFile(pool, conference, "slides.pptx");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        TwoPools.exec(pool, "INSERT INTO conference_content (conference_id, file_name, size_bytes, sha256, home_pool)"
                + " VALUES (?, ?, ?, ?, ?)", (long) conference, "slides.pptx", (long) bytes.length,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES", "POSTGRES-H2"})
    void equalCopiesShowNoDifferenceOnEitherStore(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            writeRows(pools.a, 7);
            writeRows(pools.b, 8);
            pools.syncUntilSettled();
            pools.assertCopiesEqual();

            VerifyReport report = verify(pools.a, "All", false, false);
            assertTrue(report.equal(), () -> report.toJson());
            assertEquals(3, report.modules().size());
            assertEquals(10, module(report, PRESENCE).rowsCompared(), "five contacts homed on each pool");
            assertEquals(2, module(report, CMS).rowsCompared());
            assertEquals(2, module(report, DATACONF).rowsCompared());
            for (VerifyReport.ModuleResult m : report.modules()) {
                assertEquals(0, m.differences());
                assertEquals(0, m.inFlight());
            }
            // and the other way round: the peer's verification of the same copies
            assertTrue(verify(pools.b, "All", false, false).equal());

            BackupStatus.Report status = new BackupStatus(pools.a.config(), pools.a.store().dataSource()).report("All");
            assertEquals(3, status.verifications().size(), "status shows the last verification of each module");
            assertTrue(status.verifications().stream().allMatch(v -> v.result().equals("equal") && v.differences() == 0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-H2"})
    void differencesMadeBehindPoolpairsBackAreNamedAndRepairedByTheirOwner(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            writeRows(pools.a, 7);
            writeRows(pools.b, 8);
            pools.syncUntilSettled();
            byte[] file = Files.readAllBytes(contentFile(pools.a, 7, "slides.pptx"));

            // on poolB, with capture off: a row of poolA's deleted, one changed, one added in poolA's name, a file cut short
            TwoPools.uncaptured(pools.b,
                    "DELETE FROM user_contact WHERE contact_uri = 'sip:poolA-c1'",
                    "UPDATE user_contact SET display_name = 'edited on B' WHERE contact_uri = 'sip:poolA-c2'",
                    "INSERT INTO user_contact (owner_uri, contact_uri, group_name, home_pool)"
                            + " VALUES ('sip:owner@poolA', 'sip:ghost', 'G', 'poolA')");
            Files.write(contentFile(pools.b, 7, "slides.pptx"), java.util.Arrays.copyOf(file, 100));
            // on poolA, poolA's copy of one of poolB's rows changed: poolB's to repair, never poolA's
            TwoPools.uncaptured(pools.a, "UPDATE user_contact SET group_name = 'edited on A' WHERE contact_uri = 'sip:poolB-c3'");
            String bRowOnB = rowOf(pools.b, "sip:poolB-c3");

            VerifyReport found = verify(pools.a, "All", false, false);
            assertEquals(Set.of(
                    "user_contact [\"sip:owner@poolA\",\"sip:poolA-c1\"] missing poolA poolB",
                    "user_contact [\"sip:owner@poolA\",\"sip:poolA-c2\"] different poolA poolB",
                    "user_contact [\"sip:owner@poolA\",\"sip:ghost\"] extra poolA poolB",
                    "user_contact [\"sip:owner@poolB\",\"sip:poolB-c3\"] different poolB poolA",
                    "conference_content [7,\"slides.pptx\"] different poolA poolB"), differences(found), found::toJson);
            assertEquals("differ", module(found, PRESENCE).result());
            assertEquals("equal", module(found, CMS).result());

            VerifyReport repaired = verify(pools.a, "All", true, true);
            assertEquals(4, repaired.modules().stream().mapToLong(VerifyReport.ModuleResult::repairQueued).sum(),
                    "the four rows poolA owns are sent again");
            assertEquals(Set.of("user_contact [\"sip:owner@poolB\",\"sip:poolB-c3\"] different poolB poolA"),
                    differences(repaired), "after the repair only poolB's row differs: " + repaired.toJson());
            assertEquals(bRowOnB, rowOf(pools.b, "sip:poolB-c3"), "poolA's repair left poolB's own row alone");
            assertArrayEquals(file, Files.readAllBytes(contentFile(pools.b, 7, "slides.pptx")), "the file was sent again");
            assertEquals(0, TwoPools.contacts(pools.b, "sip:ghost"));

            VerifyReport byOwner = verify(pools.b, PRESENCE, true, true);
            assertEquals(1, byOwner.modules().get(0).repairQueued(), "poolB sends its own row again");
            assertTrue(byOwner.equal(), byOwner::toJson);
            assertTrue(verify(pools.a, "All", false, false).equal());
            pools.assertCopiesEqual();
        }
    }

    private static String rowOf(PoolPairRuntime pool, String contact) throws Exception {
        try (var conn = pool.store().dataSource().getConnection();
             var ps = conn.prepareStatement("SELECT group_name, display_name, home_pool FROM user_contact WHERE contact_uri = ?")) {
            ps.setString(1, contact);
            try (var rs = ps.executeQuery()) {
                assertTrue(rs.next(), contact + " is on " + pool.config().pool());
                return rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3);
            }
        }
    }

    @Test
    void tamperedVerificationFileIsQuarantinedWithItsReason() throws Exception {
        try (TwoPools pools = start("H2-H2")) {
            // a request poolB could have sent, with one bucket count changed after it was signed
            VerifyMessage request = new VerifyMessage(VerifyMessage.FORMAT, VerifyMessage.REQUEST, UUID.randomUUID().toString(), 1,
                    B, A, PRESENCE, Instant.now().toString(), List.of(new VerifyMessage.TableMessage("user_contact", 1,
                    new long[] {0}, new long[] {0}, new long[] {0}, null, null, null, null, null, null)));
            byte[] genuine = VerifyFile.write(request, new Signer(pools.b.config().key()));
            byte[] tampered = rewriteJson(genuine, json -> json.replace("\"counts\":[0]", "\"counts\":[1]"));
            String name = VerifyFile.fileName(request);
            Path folder = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Verify");
            Files.write(folder.resolve(name), tampered);

            Path quarantine = pools.a.config().quarantine().resolve(PRESENCE);
            TwoPools.await("the file is quarantined", () -> !Files.exists(folder.resolve(name)) && reasonFile(quarantine) != null);
            String reason = Files.readString(reasonFile(quarantine));
            assertTrue(reason.contains("signature does not match"), reason);
            assertTrue(reason.contains(name), reason);
            try (Stream<Path> answers = Files.list(pools.b.config().shareLocal().resolve("UserServices/PresenceFocus/Verify"))) {
                assertEquals(0, answers.count(), "nothing answered a tampered request");
            }
        }
    }

    private interface Edit {
        String apply(String json);
    }

    private static byte[] rewriteJson(byte[] zip, Edit edit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip)); ZipOutputStream z = new ZipOutputStream(out)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals("verify.json")) {
                    String json = new String(data, StandardCharsets.UTF_8);
                    String changed = edit.apply(json);
                    assertFalse(json.equals(changed), "the edit changed the file");
                    data = changed.getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(data);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static Path reasonFile(Path quarantine) throws Exception {
        if (!Files.isDirectory(quarantine)) {
            return null;
        }
        try (Stream<Path> files = Files.list(quarantine)) {
            return files.filter(f -> f.toString().endsWith(".reason")).findFirst().orElse(null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2-H2", "POSTGRES-POSTGRES"})
    void underWriterLoadOnBothPoolsNoRowIsReportedDifferent(String stores) throws Exception {
        try (TwoPools pools = start(stores)) {
            writeRows(pools.a, 7);
            writeRows(pools.b, 8);
            pools.syncUntilSettled();
            PoolWriter load = PoolWriter.start(List.of(pools.config(A), pools.config(B)));
            AtomicBoolean syncing = new AtomicBoolean(true);
            Thread cycles = new Thread(() -> {
                while (syncing.get()) {
                    pools.syncBoth();
                }
            }, "export-cycles");
            cycles.start();
            long inFlight = 0;
            try {
                for (int run = 0; run < 3; run++) {
                    for (PoolPairRuntime pool : List.of(pools.a, pools.b)) {
                        VerifyReport report = verify(pool, PRESENCE, false, false);
                        assertEquals(0, module(report, PRESENCE).differences(), report::toJson);
                        inFlight += module(report, PRESENCE).inFlight();
                    }
                }
            } finally {
                syncing.set(false);
                cycles.join();
                load.stop();
            }
            System.out.println("rows in flight over six verifications under load: " + inFlight);
            pools.syncUntilSettled();
            VerifyReport settled = verify(pools.a, PRESENCE, false, false);
            assertTrue(settled.equal(), settled::toJson);
            assertEquals(0, module(settled, PRESENCE).inFlight());
        }
    }

    @Test
    void verifyCommandThroughTheServiceNamesTheDifferenceAndExitsOne() throws Exception {
        try (TwoPools pools = start("H2-H2")) {
            writeRows(pools.a, 7);
            pools.syncUntilSettled();
            TwoPools.uncaptured(pools.b, "DELETE FROM cms_document WHERE doc_id = 'doc-poolA'");

            TwoPools.CommandResult differ = TwoPools.cli("verify", "--config", pools.configFile(A).toString(),
                    "--module", CMS, "--json");
            assertEquals(1, differ.exit(), differ.out() + differ.err());
            VerifyReport report = VerifyReport.fromJson(differ.out());
            assertEquals(Set.of("cms_document [\"doc-poolA\"] missing poolA poolB"), differences(report));

            TwoPools.CommandResult repaired = TwoPools.cli("verify", "--config", pools.configFile(A).toString(),
                    "--module", CMS, "--repair", "--wait");
            assertEquals(0, repaired.exit(), repaired.out() + repaired.err());
            assertTrue(repaired.out().contains("After the repair was acknowledged:"), repaired.out());

            TwoPools.CommandResult status = TwoPools.cli("status", "--config", pools.configFile(A).toString(), "--module", CMS);
            assertTrue(status.out().contains("Last verification") && status.out().contains("equal at"), status.out());

            TwoPools.CommandResult unknown = TwoPools.cli("verify", "--config", pools.configFile(A).toString(), "--table", "nope");
            assertEquals(2, unknown.exit(), unknown.out() + unknown.err());
            assertTrue(unknown.err().contains("table 'nope' is not replicated"), unknown.err());
        }
    }

    @Test
    void verifyWithThePeersServiceStoppedSaysItDidNotAnswer() throws Exception {
        try (TwoPools pools = start("H2-H2")) {
            pools.b.close();
            pools.b = null;
            TwoPools.CommandResult result = TwoPools.cli("verify", "--config", pools.configFile(A).toString(), "--module", CMS,
                    "--timeout", "PT2S");
            assertEquals(3, result.exit(), result.out() + result.err());
            assertTrue(result.err().contains("504") && result.err().contains("poolB did not answer verification request"),
                    result.err());
            assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
        }
    }

    /** A failover of poolA to poolB (poolA down), a write to poolA's rows on poolB, poolA back: the failback's output. */
    private static TwoPools.CommandResult failoverAndFailback(TwoPools pools, String... failbackOptions) throws Exception {
        writeRows(pools.a, 7);
        pools.syncUntilSettled();
        pools.a.close();
        pools.a = null;
        TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", pools.configFile(B).toString(), "--pool", A, "--skip-data-verification");
        assertEquals(0, failover.exit(), failover.out() + failover.err());
        TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = 'Moved during failover' WHERE contact_uri = ?",
                "sip:poolA-c1");
        pools.a = pools.startPool(A);
        List<String> args = new java.util.ArrayList<>(List.of("failback", "--config", pools.configFile(B).toString(), "--pool",
                A, "--timeout", "PT60S"));
        args.addAll(List.of(failbackOptions));
        TwoPools.CommandResult failback = TwoPools.cli(args.toArray(String[]::new));
        assertEquals(0, failback.exit(), failback.out() + failback.err());
        return failback;
    }

    @Test
    void failbackVerifiesEveryModuleOnceTheRowsAreHandedBack() throws Exception {
        try (TwoPools pools = start("H2-H2")) {
            String out = failoverAndFailback(pools).out();
            assertTrue(out.contains("data verification of every module"), out);
            for (String module : List.of(PRESENCE, CMS, DATACONF)) {
                assertTrue(out.contains("  " + module + ": equal"), module + " verified equal: " + out);
            }
            BackupStatus.Report status = new BackupStatus(pools.b.config(), pools.b.store().dataSource()).report("All");
            assertEquals(3, status.verifications().size(), "the failback's verification is the last one in status");
        }
    }

    @Test
    void failbackWithSkipDataVerificationComparesNothing() throws Exception {
        try (TwoPools pools = start("H2-H2")) {
            String out = failoverAndFailback(pools, "--skip-data-verification").out();
            assertTrue(out.contains("data verification skipped"), out);
            assertEquals(0, new BackupStatus(pools.b.config(), pools.b.store().dataSource()).report("All")
                    .verifications().size());
        }
    }
}
