package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.cli.PoolPairCommand;
import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.runtime.PoolPairRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Invalid configuration stops start-up with a message that names what to fix. */
class StartupValidationTest {

    @TempDir
    Path dir;

    private String startupError(Map<String, String> overrides) {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        ConfigException e = assertThrows(ConfigException.class, () -> {
            try (PoolPairRuntime pool = PoolPairRuntime.create(pair.config("poolA", "poolB", overrides))) {
                pool.start();
            }
        });
        return e.getMessage();
    }

    @Test
    void unknownTableIsRefusedByName() {
        String message = startupError(Map.of("poolpair.module.CentralMgmt.CMSMaster.tables", "cms_document, cms_missing"));
        assertTrue(message.contains("table cms_missing does not exist"), message);
        assertTrue(message.contains("poolpair.module.CentralMgmt.CMSMaster.tables"), message);
    }

    @Test
    void moduleWithNeitherOwnerColumnNorOwnerPoolIsRefusedByName() {
        String message = startupError(Map.of("poolpair.module.CentralMgmt.CMSMaster.owner-column", ""));
        assertTrue(message.startsWith("module CentralMgmt.CMSMaster names no owner of its rows: set"
                + " poolpair.module.CentralMgmt.CMSMaster.owner-column = <the column naming each row's pool> or"
                + " poolpair.module.CentralMgmt.CMSMaster.owner-pool = <poolA or poolB"), message);
        message = startupError(Map.of("poolpair.module.CentralMgmt.CMSMaster.owner-column", "",
                "poolpair.module.CentralMgmt.CMSMaster.owner-pool", "poolC"));
        assertTrue(message.startsWith("poolpair.module.CentralMgmt.CMSMaster.owner-pool = poolC is neither this pool"),
                message);
    }

    @Test
    void tableWithoutPrimaryKeyIsRefusedByName() throws Exception {
        Path script = dir.resolve("extra.sql");
        Files.writeString(script, "CREATE TABLE IF NOT EXISTS audit_trail (event VARCHAR(100), at TIMESTAMP);");
        String message = startupError(Map.of(
                "poolpair.datasource.init-script", script.toString(),
                "poolpair.modules", "Audit.Trail",
                "poolpair.module.Audit.Trail.tables", "audit_trail",
                "poolpair.module.Audit.Trail.owner-pool", "poolA"));
        assertTrue(message.contains("table audit_trail has no primary key"), message);
    }

    @Test
    void severalInstancesOnEmbeddedH2OrWithABadLockIntervalAreRefused() {
        String message = startupError(Map.of("poolpair.cluster.enabled", "true"));
        assertTrue(message.startsWith("poolpair.cluster.enabled = true: several instances of a pool need one shared"
                + " PostgreSQL database"), message);
        message = startupError(Map.of("poolpair.cluster.enabled", "yes"));
        assertTrue(message.startsWith("poolpair.cluster.enabled = yes: use true or false"), message);
    }

    @Test
    void batchLimitsTooSmallForAModuleAreRefused() {
        String message = startupError(Map.of("poolpair.import.max-entries", "9"));
        assertTrue(message.startsWith("poolpair.import.max-entries = 9 is too small for module UserServices.PresenceFocus"
                + " (3 tables): a batch may need 10 entries; set at least 10"), message);
        message = startupError(Map.of("poolpair.import.max-batch-bytes", "1000000"));
        assertTrue(message.startsWith("poolpair.import.max-batch-bytes = 1000000: must be at least 4194304"), message);
    }

    @Test
    void intervalOutsideFiveSecondsToThreeHoursIsRefused() {
        for (String interval : new String[] {"PT1S", "PT3H1S", "2 minutes"}) {
            String message = startupError(Map.of("poolpair.sync-interval", interval));
            assertTrue(message.startsWith("poolpair.sync-interval = "), message);
        }
    }

    @Test
    void missingOwnShareIsRefusedWithItsKey() {
        String message = startupError(Map.of("poolpair.share.local", dir.resolve("not-mounted").toString()));
        assertTrue(message.contains("poolpair.share.local = " + dir.resolve("not-mounted")), message);
        assertTrue(message.contains("does not exist"), message);
    }

    /** The peer's share may be gone with the peer's site: the pool still starts (and can fail over), exports queue. */
    @Test
    void missingPeerShareDoesNotStopStartUp() throws Exception {
        PairFolder pair = new PairFolder(dir, PoolConfig.locateHome());
        Path gone = dir.resolve("gone-with-its-site");
        try (PoolPairRuntime pool = PoolPairRuntime.create(pair.config("poolA", "poolB",
                Map.of("poolpair.share.peer", gone.toString(), "poolpair.http.enabled", "false")))) {
            pool.start();
            assertTrue(pool.context().getRouteController().getRouteStatus("export-cycle").isStarted());
        }
    }

    @Test
    void peerShareOfAnUnsupportedTransportIsRefusedWithItsKey() {
        String ftp = startupError(Map.of("poolpair.share.peer", "ftp://fileserver/poolB-share"));
        assertTrue(ftp.startsWith("poolpair.share.peer = ftp://fileserver/poolB-share: a peer share is a folder,"
                + " a file: URI, an sftp:// URI or an smb:// URI"), ftp);
        String noFolder = startupError(Map.of("poolpair.share.peer", "sftp://poolA@fileserver"));
        assertTrue(noFolder.startsWith("poolpair.share.peer = sftp://poolA@fileserver: name the host and the share's folder"), noFolder);
    }

    @Test
    void smbPeerShareWithoutShareNameOrCredentialsIsRefusedWithItsKey() {
        String noShare = startupError(Map.of("poolpair.share.peer", "smb://fileserver:445?username=poolA&password=x"));
        // the message quotes the URI with its password masked
        assertTrue(noShare.startsWith("poolpair.share.peer = smb://fileserver:445?username=poolA&password=******: name the host"
                + " and the share's folder, e.g. smb://"), noShare);
        String noPassword = startupError(Map.of("poolpair.share.peer", "smb:fileserver/poolB-share?username=poolA"));
        assertTrue(noPassword.startsWith("poolpair.share.peer = smb:fileserver/poolB-share?username=poolA: an smb: share"
                + " needs the option password= in its query"), noPassword);
    }

    @Test
    void httpOpenToTheNetworkWithoutTokenIsRefusedNamingTheKey() {
        String message = startupError(Map.of("poolpair.http.host", "0.0.0.0"));
        assertTrue(message.startsWith("poolpair.http.host = 0.0.0.0 opens the HTTP endpoints to the network: set"
                + " poolpair.http.token"), message);
        String shortToken = startupError(Map.of("poolpair.http.host", "0.0.0.0", "poolpair.http.token", "short"));
        assertTrue(shortToken.startsWith("poolpair.http.token: use a token of at least 16"), shortToken);
    }

    @Test
    void missingKeyIsRefused() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("poolpair.key", "");
        String message = startupError(overrides);
        assertTrue(message.startsWith("poolpair.key is missing"), message);
    }

    @Test
    void publishedSampleKeyIsRefused() {
        Path sample = PoolConfig.locateHome().resolve("config/examples/pair.key");
        String message = startupError(Map.of("poolpair.key", "", "poolpair.key-file", sample.toString()));
        assertTrue(message.startsWith("poolpair.key-file holds the published sample key of config/examples/"), message);
        assertTrue(message.contains("poolpair keygen"), message);
    }

    @Test
    void lowEntropyKeysAreRefused() {
        for (String weak : new String[] {"a".repeat(40), "passwordpasswordpasswordpassword",
                "abcd".repeat(10)}) {
            String message = startupError(Map.of("poolpair.key", weak));
            assertTrue(message.startsWith("poolpair.key looks guessable"), weak + ": " + message);
        }
    }

    @Test
    void keygenWritesAFreshPrivateKeyAndNeverOverwritesWithoutForce() throws Exception {
        Path key = dir.resolve("keys").resolve("pair.key");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PoolPairCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("keygen", key.toString()), err.toString());
        String first = Files.readString(key).strip();
        assertTrue(first.matches("[0-9a-f]{64}"), first);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

        assertEquals(2, cl.execute("keygen", key.toString()));
        assertTrue(err.toString().contains("exists: not overwritten"), err.toString());
        assertEquals(first, Files.readString(key).strip(), "overwritten without --force");

        assertEquals(0, cl.execute("keygen", "--force", key.toString()), err.toString());
        String second = Files.readString(key).strip();
        assertTrue(second.matches("[0-9a-f]{64}") && !second.equals(first), second);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

        // the service accepts what keygen writes
        PairFolder pair = new PairFolder(dir.resolve("pair"), PoolConfig.locateHome());
        assertEquals(second, new String(pair.config("poolA", "poolB", Map.of("poolpair.key", "", "poolpair.key-file",
                key.toString())).key(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void keyFileReadableByOthersIsWarnedAbout() throws Exception {
        Path key = dir.resolve("pair.key");
        assertEquals(0, PoolPairCommand.commandLine().execute("keygen", key.toString()));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        PairFolder pair = new PairFolder(dir.resolve("pair"), PoolConfig.locateHome());
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try (PoolPairRuntime pool = PoolPairRuntime.create(pair.config("poolA", "poolB", Map.of("poolpair.key", "",
                "poolpair.key-file", key.toString(), "poolpair.http.enabled", "false")))) {
            assertTrue(pool.config().keyFile().isPresent());
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("poolpair.key-file = " + key + " can be read by other users"), log);
    }

    @Test
    void shortKeyIsRefused() {
        String message = startupError(Map.of("poolpair.key", "too-short"));
        assertTrue(message.contains("at least 32 bytes"), message);
    }

    @Test
    void runCommandReportsConfigurationErrorsWithExitCodeTwo() throws Exception {
        Path file = dir.resolve("broken.properties");
        Files.writeString(file, "poolpair.pool = poolA\npoolpair.peer = poolB\npoolpair.share.local = " + dir
                + "\npoolpair.share.peer = " + dir + "\npoolpair.key = " + "4f1c9a07e3b85d26a1f0c7e49b3d8265f7a0e1c93b4d6a28c5e07f19b2d4a6c3" + "\n"
                + "poolpair.sync-interval = PT1S\n");
        CommandLine cli = PoolPairCommand.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("run", "--config", file.toString());
        assertEquals(2, exit);
        assertTrue(err.toString().contains("poolpair.sync-interval = PT1S: must be between PT5S and PT3H"), err.toString());
    }
}
