package io.poolpair;

import static io.poolpair.TwoPools.PRESENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolpair.share.ShareLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On shares that keep coarse modification times (SMB: 2 s, some NAS: 1 s) a burst of cookies can leave two versions
 * with the same name, time and size. The later one carries the newer acknowledgement and must still be read.
 */
class CookieBurstTest {

    @TempDir
    Path dir;

    @Test
    void cookieReplacedWithTheSameTimeAndSizeIsStillRead() throws Exception {
        try (TwoPools pools = TwoPools.start(dir)) {
            pools.a.context().getRouteController().stopRoute("acknowledge-batches");
            TwoPools.insertContact(pools.a, "sip:alice@poolA", "sip:burst@example.com");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, PRESENCE, 1);
            Path cookie = pools.a.config().shareLocal().resolve("UserServices/PresenceFocus/Cookie/" + ShareLayout.COOKIE_FILE);
            TwoPools.await("poolB's cookie for batch 1 is in poolA's share", () -> Files.exists(cookie));
            byte[] genuine = Files.readAllBytes(cookie);
            FileTime time = Files.getLastModifiedTime(cookie);

            // an earlier version of the same size and time (here: unreadable, so it acknowledges nothing) is read first
            byte[] earlier = new byte[genuine.length];
            new Random(7).nextBytes(earlier);
            replace(cookie, earlier, time);
            pools.a.context().getRouteController().startRoute("acknowledge-batches");
            TwoPools.awaitPolls(pools.a, "acknowledge-batches", 3);
            assertEquals(0, pools.exportState(pools.a, PRESENCE).ackedBatch());

            // then the genuine one replaces it: same name, same time, same size, other content
            replace(cookie, genuine, time);
            pools.awaitAcknowledged(pools.a, PRESENCE, 1);
        }
    }

    /** Replaces the file as the peer does (a new file renamed over the old one), with the given modification time. */
    private static void replace(Path file, byte[] content, FileTime time) throws Exception {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Files.write(part, content);
        Files.setLastModifiedTime(part, time);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
