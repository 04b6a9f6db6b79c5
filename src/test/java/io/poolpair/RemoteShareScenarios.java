package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static io.poolpair.TwoPools.CMS;
import static io.poolpair.TwoPools.PRESENCE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolpair.batch.BatchName;
import io.poolpair.runtime.PoolPairRuntime;
import io.poolpair.status.BackupStatus;
import io.poolpair.status.BackupStatus.ExportStatus;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer share reached through a transport (sftp:, smb:) must do as a folder does, run by one test class
 * per transport against its real server on loopback: each pool writes its batches and cookies into the other's
 * share through the server, and consumes its own share as a folder. A subclass starts the server before each
 * test and names the share URIs; {@link #stopServer()} and {@link #startServer()} make an outage.
 */
abstract class RemoteShareScenarios {

    @TempDir
    Path dir;

    /** The transport's name, for messages. */
    abstract String transport();

    /** The value of poolpair.share.peer that reaches {@code pool}'s share (a folder under {@link #pairDir()}). */
    abstract String shareUri(String pool);

    /** Stops the server and every connection it serves. */
    abstract void stopServer() throws Exception;

    /** Starts the server again on the same port. */
    abstract void startServer() throws Exception;

    Path pairDir() {
        return dir.resolve("pair");
    }

    Path share(String pool) {
        return pairDir().resolve(pool).resolve("share");
    }

    private TwoPools startOverTransport() {
        return TwoPools.start(pairDir(), Map.of(), Map.of("poolpair.share.peer", shareUri(B)),
                Map.of("poolpair.share.peer", shareUri(A)));
    }

    private static BackupStatus.ModuleStatus status(PoolPairRuntime pool, String module) throws Exception {
        return new BackupStatus(pool.config(), pool.store().dataSource()).module(module);
    }

    @Test
    void poolsReplicateBothWaysPublishingAtomicallyAndAcknowledgingWithCookies() throws Exception {
        try (TwoPools pools = startOverTransport(); WatchService watcher = FileSystems.getDefault().newWatchService()) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            Path data = share(B).resolve("UserServices/PresenceFocus/Data");
            Path cookies = share(A).resolve("UserServices/PresenceFocus/Cookie");
            WatchKey dataKey = data.register(watcher, ENTRY_CREATE, ENTRY_MODIFY);
            WatchKey cookieKey = cookies.register(watcher, ENTRY_CREATE, ENTRY_MODIFY);

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:over-" + transport() + "@example.com");
            pools.a.syncNow();
            String batch = new BatchName(A, PRESENCE, 1).fileName();
            assertTrue(Files.exists(data.resolve(batch)), "published into poolB's Data folder over " + transport());
            // written under Temp/ and renamed: the file appears once, complete, and is never written in place
            assertEquals(List.of("ENTRY_CREATE " + batch), events(watcher, dataKey));
            assertEquals(Files.size(pools.a.config().outbox().resolve(batch)), Files.size(data.resolve(batch)));

            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(List.of("ENTRY_CREATE cookie.zip"), events(watcher, cookieKey), "the cookie came back by rename too");

            TwoPools.exec(pools.b, "INSERT INTO cms_document (doc_id, version, content, home_pool) VALUES ('from-b', 1, 'x', 'poolB')");
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
            assertEquals(1, TwoPools.contacts(pools.b, "sip:over-" + transport() + "@example.com"));
            assertEquals(1, pools.exportState(pools.b, CMS).ackedBatch(), "poolA's cookie came back over " + transport());
            for (String pool : new String[] {A, B}) {
                try (Stream<Path> temp = Files.list(share(pool).resolve("Temp"))) {
                    assertEquals(0, temp.filter(p -> p.toString().endsWith(".part")).count(), "no partial file left");
                }
            }
        }
    }

    /**
     * The events of the watched folder {@code key} so far, as "KIND name": waits until the folder has had
     * events and no more arrive for half a second (the watch service delivers them from inotify on its thread).
     */
    private static List<String> events(WatchService watcher, WatchKey key) throws InterruptedException {
        List<String> events = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            WatchKey signalled = watcher.poll(events.isEmpty() ? 1000 : 500, TimeUnit.MILLISECONDS);
            if (signalled == null && !events.isEmpty()) {
                break;
            }
            if (signalled != null) {
                List<String> now = signalled.pollEvents().stream().map(e -> e.kind().name() + " " + e.context()).toList();
                if (signalled == key) {
                    events.addAll(now);
                }
                signalled.reset();
            }
        }
        return events;
    }

    /**
     * The import route and the export cycle both write the module's cookie, each through a temporary file renamed
     * over the last one: writes that meet must each land whole, none failing on the other's rename.
     */
    @Test
    void cookieWritesThatMeetAllLandOverTheTransport() throws Exception {
        try (TwoPools pools = startOverTransport()) {
            int writers = 6;
            int rounds = 5;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            try {
                List<java.util.concurrent.Future<?>> writes = new ArrayList<>();
                var start = new java.util.concurrent.CyclicBarrier(writers);
                for (int w = 0; w < writers; w++) {
                    writes.add(pool.submit(() -> {
                        start.await();
                        for (int r = 0; r < rounds; r++) {
                            pools.b.context().createProducerTemplate().sendBodyAndHeader("direct:write-cookie", null,
                                    Headers.MODULE, PRESENCE);
                        }
                        return null;
                    }));
                }
                for (var write : writes) {
                    write.get(2, TimeUnit.MINUTES); // a failed write rethrows here, naming the transport's error
                }
            } finally {
                pool.shutdownNow();
            }
            Path cookie = share(A).resolve("UserServices/PresenceFocus/Cookie/cookie.zip");
            assertTrue(Files.size(cookie) > 0, "the last cookie is whole");
            try (Stream<Path> temp = Files.list(share(A).resolve("Temp"))) {
                assertEquals(0, temp.filter(p -> p.toString().endsWith(".part")).count(), "no partial file left");
            }
        }
    }

    @Test
    void aBatchLostFromThePeersShareIsFoundMissingThroughTheServerAndReSent() throws Exception {
        try (TwoPools pools = startOverTransport()) {
            pools.b.context().getRouteController().stopRoute("import-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:lost@example.com");
            pools.a.syncNow();
            Path published = share(B).resolve("UserServices/PresenceFocus/Data").resolve(new BatchName(A, PRESENCE, 1).fileName());
            byte[] original = Files.readAllBytes(published);
            Files.delete(published);
            // the next cycle after poolpair.resend-after asks the server whether the batch is there
            TwoPools.await("the lost batch is back in poolB's share", () -> {
                pools.a.syncNow();
                return Files.exists(published);
            });
            assertTrue(Arrays.equals(original, Files.readAllBytes(published)), "re-sent byte for byte");
            pools.b.context().getRouteController().startRoute("import-batches");
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:lost@example.com"));
        }
    }

    @Test
    void aFileUploadedThroughTheServerThatIsNotABatchIsQuarantinedAndBatchesKeepFlowing() throws Exception {
        try (TwoPools pools = startOverTransport()) {
            String name = new BatchName(A, PRESENCE, 1).fileName();
            pools.a.context().createProducerTemplate().sendBodyAndHeader(shareUri(B), "not a zip",
                    "CamelFileName", "UserServices/PresenceFocus/Data/" + name);
            TwoPools.await("poolB quarantines the file", () -> status(pools.b, PRESENCE).quarantinedFiles() == 1
                    && status(pools.b, PRESENCE).importStatus() == BackupStatus.ImportStatus.ErrorState);
            Path quarantine = pools.b.config().quarantine().resolve(PRESENCE);
            try (Stream<Path> files = Files.list(quarantine)) {
                Path reason = files.filter(p -> p.toString().endsWith(".reason")).findFirst().orElseThrow();
                assertTrue(Files.readString(reason).contains("not a readable zip"), Files.readString(reason));
            }

            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:after-quarantine@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            assertEquals(1, TwoPools.contacts(pools.b, "sip:after-quarantine@example.com"));
            assertEquals(BackupStatus.ImportStatus.NormalState, status(pools.b, PRESENCE).importStatus());
        }
    }

    @Test
    void serverDownShowsErrorStateAndTheNextCycleAfterItReturnsRecovers() throws Exception {
        try (TwoPools pools = startOverTransport()) {
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:before@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);

            stopServer();
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:during-outage@example.com");
            pools.a.syncNow();
            BackupStatus.ModuleStatus down = status(pools.a, PRESENCE);
            assertEquals(ExportStatus.ErrorState, down.exportStatus());
            assertTrue(down.lastError() != null && !down.lastError().isBlank(), "the error is shown");
            assertEquals(0, TwoPools.contacts(pools.b, "sip:during-outage@example.com"));

            startServer();
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 2);
            pools.awaitAcknowledged(pools.a, PRESENCE, 2);
            BackupStatus.ModuleStatus up = status(pools.a, PRESENCE);
            assertEquals(ExportStatus.FinalState, up.exportStatus());
            assertNull(up.lastError());
            assertEquals(1, TwoPools.contacts(pools.b, "sip:during-outage@example.com"), "nothing was lost");
        }
    }

    /**
     * The lost pool's share is reached through the transport and its server is down: failover needs nothing of it,
     * the notice and the queued writes follow once it is back, and failback hands the rows back over the transport.
     */
    @Test
    void failoverWithThePeersServerDownThenFailbackOverTheTransport() throws Exception {
        try (TwoPools pools = startOverTransport()) {
            for (String pool : List.of(A, B)) {
                // the commands read the pool files: they name the same share URIs
                Files.writeString(pools.configFile(pool), "poolpair.share.peer = " + shareUri(pool.equals(A) ? B : A)
                        .replace("\\", "\\\\") + "\n", java.nio.file.StandardOpenOption.APPEND);
            }
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:before@example.com");
            pools.a.syncNow();
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
            pools.a.close(); // poolA's site is lost, and its share with it
            pools.a = null;
            stopServer();

            TwoPools.CommandResult failover = TwoPools.cli("failover", "--config", pools.configFile(B).toString(), "--pool", A, "--skip-data-verification");
            assertEquals(0, failover.exit(), failover.out() + failover.err());
            TwoPools.exec(pools.b, "UPDATE user_contact SET group_name = ? WHERE contact_uri = ?", "Served by poolB",
                    "sip:before@example.com");
            pools.b.syncNow();
            assertEquals(ExportStatus.ErrorState, status(pools.b, PRESENCE).exportStatus(), "poolA's share is down");

            startServer();
            pools.a = pools.startPool(A);
            TwoPools.CommandResult failback = TwoPools.cli("failback", "--config", pools.configFile(B).toString(), "--pool", A,
                    "--timeout", "PT60S");
            assertEquals(0, failback.exit(), failback.out() + failback.err());
            assertEquals(1, TwoPools.count(pools.a, "SELECT COUNT(*) FROM user_contact WHERE contact_uri = ? AND group_name = ?",
                    "sip:before@example.com", "Served by poolB"), "the write made on poolB for poolA's users");
            assertEquals(ExportStatus.FinalState, status(pools.b, PRESENCE).exportStatus());
        }
    }
}
