package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import io.poolpair.demo.PairFolder;
import io.poolpair.status.BackupStatus;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peer shares reached over SFTP, chosen by the share URI alone ({@code sftp://...}): the scenarios of
 * {@link RemoteShareScenarios} (replication both ways with atomic publish, re-send of a lost batch, quarantine,
 * outage and recovery) through a real OpenSSH server on loopback.
 */
class SftpShareTest extends RemoteShareScenarios {

    private SshServer ssh;

    @BeforeEach
    void startSshd() throws Exception {
        ssh = SshServer.start(dir);
    }

    @AfterEach
    void stopSshd() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
    }

    @Override
    String transport() {
        return "sftp";
    }

    @Override
    String shareUri(String pool) {
        return ssh.shareUri(share(pool));
    }

    @Override
    void stopServer() throws Exception {
        ssh.stop();
    }

    @Override
    void startServer() throws Exception {
        ssh.start();
    }

    @Test
    void sftpShareThatDoesNotCheckTheHostKeyIsRefusedUnlessTheOperatorSaysInsecure() {
        PairFolder pair = new PairFolder(pairDir(), PoolConfig.locateHome());
        String unchecked = shareUri(B).replace("strictHostKeyChecking=yes", "strictHostKeyChecking=no");
        ConfigException refused = assertThrows(ConfigException.class, () -> pair.config(A, B, Map.of("poolpair.share.peer", unchecked)));
        assertTrue(refused.getMessage().contains("an sftp: share must check the server's host key"), refused.getMessage());
        assertTrue(refused.getMessage().contains("poolpair.share.insecure-skip-host-key-check"), refused.getMessage());
        String noKnownHosts = shareUri(B).replaceAll("&knownHostsFile=[^&]*", "");
        ConfigException noKeys = assertThrows(ConfigException.class, () -> pair.config(A, B, Map.of("poolpair.share.peer", noKnownHosts)));
        assertTrue(noKeys.getMessage().contains("strictHostKeyChecking=yes needs the server's key"), noKeys.getMessage());

        PoolConfig insecure = pair.config(A, B, Map.of("poolpair.share.peer", unchecked,
                "poolpair.share.insecure-skip-host-key-check", "true"));
        assertTrue(insecure.encrypt(), "batches to a remote share are encrypted by default");
        assertFalse(pair.config(A, B, Map.of()).encrypt(), "a folder share: not encrypted by default");
    }

    @Test
    void sftpServerPresentingAnotherHostKeyGetsNothing() throws Exception {
        String impostor = shareUri(B).replaceAll("knownHostsFile=[^&]*", "knownHostsFile=" + ssh.wrongKnownHosts());
        try (TwoPools pools = TwoPools.start(pairDir(), Map.of(), Map.of("poolpair.share.peer", impostor), Map.of())) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:mitm@example.com");
            pools.a.syncNow();
            BackupStatus.ModuleStatus status = new BackupStatus(pools.a.config(), pools.a.store().dataSource()).module(PRESENCE);
            assertEquals(BackupStatus.ExportStatus.ErrorState, status.exportStatus());
            assertTrue(status.lastError().toLowerCase().contains("hostkey"), status.lastError());
            assertFalse(Files.exists(share(B).resolve("UserServices/PresenceFocus/Data").resolve(new BatchName(A, PRESENCE, 1).fileName())),
                    "a batch was written to a server whose host key is not the known one");
        }
    }
}
