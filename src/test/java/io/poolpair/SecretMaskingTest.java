package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.state.ImportState;
import io.poolpair.status.BackupStatus;
import io.poolpair.state.ErrorText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets a share URI carries never reach status, the state tables, the config command or the routes' logs. */
class SecretMaskingTest {

    private static final String[] SECRETS = {"hunter2", "s3cr&t", "pass-phrase", "AAAAB3NzaC1yc2E", "sesame"};

    @TempDir
    Path dir;

    private static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), "'" + secret + "' in: " + text);
        }
    }

    private static Exception failureQuotingUris() {
        return new IllegalStateException("cannot store file in sftp://poolA:hunter2@backup-b.example:22/share"
                + "?privateKeyPassphrase=pass-phrase&strictHostKeyChecking=yes",
                new IOException("smb://backup-b.example/share?username=poolA&password=RAW(s3cr&t) refused; "
                        + "sftp://backup-b.example/share?privateKey=AAAAB3NzaC1yc2E&Password=sesame"));
    }

    @Test
    void errorTextMasksShareSecretsAndKeepsWhereItFailed() {
        String text = ErrorText.of(failureQuotingUris());
        assertNoSecret(text);
        assertTrue(text.contains("sftp://poolA:******@backup-b.example:22/share?privateKeyPassphrase=******"
                + "&strictHostKeyChecking=yes"), text);
        assertTrue(text.contains("username=poolA&password=******"), text);
    }

    @Test
    void errorRecordedForStatusIsMasked() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            TwoPools.insertContact(pools.b, "sip:bob@poolB", "sip:row@example.com");
            pools.b.syncNow();
            pools.awaitApplied(pools.a, PRESENCE, 1);
            ImportState importState = new ImportState(pools.a.store().dataSource(), "poolB");
            importState.recordError(PRESENCE, failureQuotingUris().getMessage() + " / "
                    + failureQuotingUris().getCause().getMessage(), false);
            BackupStatus.ModuleStatus status = new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE);
            assertTrue(status.lastError().contains("backup-b.example"), status.lastError());
            assertNoSecret(status.lastError());
            assertNoSecret(TwoPools.cli("status", "--config", pools.configFile(TwoPools.A).toString(), "--json").out());
        }
    }

    @Test
    void configCommandMasksUserInfoAndQuerySecrets() throws Exception {
        Path file = dir.resolve("poolA.properties");
        Files.createDirectories(dir.resolve("share"));
        Files.writeString(file, "poolpair.pool = poolA\npoolpair.peer = poolB\npoolpair.share.local = " + dir.resolve("share")
                + "\npoolpair.share.peer = smb://backup-b.example:445/poolB-share?username=poolA&password=RAW(s3cr&t)"
                + "\npoolpair.key = 4f1c9a07e3b85d26a1f0c7e49b3d8265f7a0e1c93b4d6a28c5e07f19b2d4a6c3"
                + "\npoolpair.data-dir = " + dir.resolve("data")
                + "\narchive.endpoint = sftp://poolA:hunter2@backup-b.example/x?privateKey=AAAAB3NzaC1yc2E\n");
        TwoPools.CommandResult result = TwoPools.cli("config", "--config", file.toString());
        assertEquals(0, result.exit(), result.err());
        assertNoSecret(result.out());
        assertTrue(result.out().contains("password=******"), result.out());
        assertTrue(result.out().contains("sftp://poolA:******@backup-b.example/x?privateKey=******"), result.out());
    }

    @Test
    void routeLogLinesAreMasked() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.a.context().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:say").routeId("say").log("${body}");
                }
            });
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream err = System.err;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                pools.a.context().createProducerTemplate().sendBody("direct:say", "reached "
                        + failureQuotingUris().getMessage());
            } finally {
                System.setErr(err);
            }
            String log = captured.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("reached cannot store file in sftp://poolA:******@backup-b.example"), log);
            assertNoSecret(log);
        }
    }

    @Test
    void theKeyStaysOutOfCamelsProperties() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            assertEquals(64, pools.a.config().key().length);
            assertTrue(pools.a.context().getPropertiesComponent().resolveProperty("poolpair.key").isEmpty(),
                    "the key is a Camel property");
        }
    }

    @Test
    void aKeyGivenAsSystemPropertyIsWarnedAbout() throws Exception {
        String key = "5e0b7d1c9a3f2e4d6b8a0c1e3f5d7b9a2c4e6f8a0b1d3c5e7f9a1b2c3d4e5f6a";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setProperty("poolpair.key", key);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TwoPools pools = TwoPools.start(dir)) {
            assertEquals(key, new String(pools.a.config().key(), StandardCharsets.UTF_8));
        } finally {
            System.clearProperty("poolpair.key");
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("poolpair.key is set as a system property (-Dpoolpair.key=...): every local user can read"
                + " it in the process list; use poolpair.key-file instead"), log);
        assertFalse(log.contains(key), log);
    }

    @Test
    void unreachableSftpShareWithAPasswordLeavesItInNeitherLogNorStatus() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again: nothing answers there
        }
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
        String share = "sftp://poolA:hunter2@127.0.0.1:" + port + "/share?strictHostKeyChecking=yes&knownHostsFile=" + knownHosts
                + "&useUserKnownHostsFile=false";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        String json;
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"), Map.of(), Map.of("poolpair.share.peer", share), Map.of())) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:unreachable@example.com");
            pools.a.syncNow();
            TwoPools.await("the export failure is recorded", () -> pools.exportState(pools.a, PRESENCE).lastError() != null);
            assertTrue(pools.exportState(pools.a, PRESENCE).lastError().contains("127.0.0.1"),
                    pools.exportState(pools.a, PRESENCE).lastError());
            json = TwoPools.cli("status", "--config", pools.configFile(TwoPools.A).toString(), "--json").out();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("sftp://poolA@127.0.0.1:" + port), "the log names the share: " + log);
        assertFalse(log.contains("hunter2"), log);
        assertTrue(json.contains("\"lastError\""), json);
        assertFalse(json.contains("hunter2"), json);
    }
}
