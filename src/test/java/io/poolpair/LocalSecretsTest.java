package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.share.ShareLayout;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local users and the share's writers: private folders, a loopback-only H2 server, no link followed in Temp/. */
class LocalSecretsTest {

    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void dataOutboxQuarantineAndContentFoldersAreCreatedOwnerOnly() throws Exception {
        Path data = dir.resolve("fresh").resolve("poolA-data");
        try (TwoPools pools = TwoPools.start(dir.resolve("pair"), Map.of(), Map.of("poolpair.data-dir", data.toString()), Map.of())) {
            assertEquals(data, pools.a.config().dataDir());
            assertEquals("rwx------", mode(data));
            assertEquals("rwx------", mode(dir.resolve("fresh")), "a missing parent is private too");
            assertEquals("rwx------", mode(pools.a.config().outbox()));
            assertEquals("rwx------", mode(pools.a.config().quarantine()));
            assertEquals("rwx------", mode(pools.a.config().module("ConfServices.DataConf").contentDir().orElseThrow()));
            assertEquals("rwx------", mode(pools.b.config().dataDir()), "the demo's data folder");
        }
    }

    @Test
    void embeddedH2ServerListensOnLoopbackOnly() throws Exception {
        InetAddress external = externalAddress();
        try (TwoPools pools = TwoPools.start(dir)) {
            String lock = Files.readString(pools.a.config().dataDir().resolve("store.lock.db"));
            Matcher server = Pattern.compile("server=[^\\n]*?:(\\d+)").matcher(lock);
            assertTrue(server.find(), lock);
            int port = Integer.parseInt(server.group(1));
            try (Socket local = new Socket()) {
                local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            }
            assertThrows(IOException.class, () -> {
                try (Socket remote = new Socket()) {
                    remote.connect(new InetSocketAddress(external, port), 2000);
                }
            }, "H2's AUTO_SERVER port answers on " + external);
        }
    }

    @Test
    void linkPlantedInTempIsNotFollowedByTheTaskAssignment() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path victim = dir.resolve("victim.txt");
            Files.writeString(victim, "precious");
            Path temp = pools.a.config().shareLocal().resolve(ShareLayout.TEMP);
            Files.createSymbolicLink(temp.resolve("poolA.task.part"), victim);
            pools.a.syncNow();
            assertEquals("precious", Files.readString(victim));
            Path assignment = pools.a.config().shareLocal().resolve(ShareLayout.TASK_ASSIGNMENT).resolve("poolA.json");
            assertTrue(Files.readString(assignment).contains("\"pid\" : " + ProcessHandle.current().pid()));
            try (Stream<Path> left = Files.list(temp)) {
                assertEquals(1, left.count(), "only the planted link is left in Temp/");
            }
        }
    }

    @Test
    void tempFolderReplacedByALinkIsRefused() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
            Path temp = pools.a.config().shareLocal().resolve(ShareLayout.TEMP);
            Files.delete(temp);
            Files.createSymbolicLink(temp, elsewhere);
            IOException refused = assertThrows(IOException.class, () -> new ShareLayout(pools.a.config()).assignTask());
            assertTrue(refused.getMessage().contains("is not a folder"), refused.getMessage());
            try (Stream<Path> written = Files.list(elsewhere)) {
                assertFalse(written.findAny().isPresent(), "a file was written through the link");
            }
        }
    }

    @Test
    void h2StoreWithAnEmptyPasswordIsRefusedAtStartUp() throws Exception {
        Path file = dir.resolve("poolA.properties");
        Files.createDirectories(dir.resolve("share"));
        Files.writeString(file, "poolpair.pool = poolA\npoolpair.peer = poolB\npoolpair.share.local = " + dir.resolve("share")
                + "\npoolpair.share.peer = " + dir.resolve("share")
                + "\npoolpair.key = 4f1c9a07e3b85d26a1f0c7e49b3d8265f7a0e1c93b4d6a28c5e07f19b2d4a6c3"
                + "\npoolpair.data-dir = " + dir.resolve("data") + "\npoolpair.http.enabled = false\n");
        PoolConfig config = PoolConfig.load(PoolConfig.locateHome(), file);
        assertTrue(config.datasourceUrl().contains("AUTO_SERVER=TRUE"), config.datasourceUrl());
        ConfigException refused = assertThrows(ConfigException.class, () -> {
            try (PoolPairRuntime started = PoolPairRuntime.create(config).start()) {
                started.config();
            }
        });
        assertTrue(refused.getMessage().contains("an H2 store with an empty poolpair.datasource.password"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("data").resolve("store.mv.db")), "the store was created without a password");
    }

    static InetAddress externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && nic.isUp()) {
                    return address;
                }
            }
        }
        assumeTrue(false, "this machine has no non-loopback IPv4 address");
        return null;
    }
}
