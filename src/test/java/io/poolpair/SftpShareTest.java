package io.poolpair;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

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
}
