package io.poolpair.ack;

import io.poolpair.Headers;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.share.ShareLayout;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Reads a cookie the peer wrote into this pool's share and sets the acknowledged module and batch headers.
 * Anything forged, from another pool or for another module is refused.
 */
public final class Acknowledger {

    private final PoolConfig config;
    private final ShareLayout share;
    private final Signer signer;

    public Acknowledger(PoolConfig config, ShareLayout share, Signer signer) {
        this.config = config;
        this.share = share;
        this.signer = signer;
    }

    public void read(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        File file = msg.getBody(File.class);
        String relative = msg.getHeader(Exchange.FILE_NAME, String.class);
        String module = share.moduleOf(relative);
        if (module == null) {
            throw new Cookie.CookieRejectedException(relative + " belongs to no configured module");
        }
        if (Files.isSymbolicLink(file.toPath())) {
            throw new Cookie.CookieRejectedException(relative + " is a symbolic link");
        }
        if (!Files.exists(file.toPath())) {
            // the peer is replacing its cookie right now: the next poll reads the new one
            exchange.setRouteStop(true);
            return;
        }
        Cookie cookie = Cookie.fromZip(Files.readAllBytes(file.toPath()), signer);
        if (!config.peer().equals(cookie.importingPool()) || !config.pool().equals(cookie.sourcePool())) {
            throw new Cookie.CookieRejectedException("cookie is from " + cookie.importingPool() + " about " + cookie.sourcePool()
                    + ", expected " + config.peer() + " about " + config.pool());
        }
        if (!module.equals(cookie.module())) {
            throw new Cookie.CookieRejectedException("cookie names module " + cookie.module() + " but lies in " + relative);
        }
        msg.setHeader(Headers.MODULE, module);
        msg.setHeader(Headers.ACKED_BATCH, cookie.lastAppliedBatch());
        msg.setHeader("PoolPairPeerImportState", cookie.importState());
    }

    /**
     * How far the peer has applied {@code module} according to its cookie as it lies in this pool's share now,
     * or -1 when there is no valid cookie: the peer may have moved on since the cookie being processed was read.
     */
    public long appliedNow(String module) {
        try {
            Path file = share.localCookie(module);
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return -1;
            }
            Cookie cookie = Cookie.fromZip(Files.readAllBytes(file), signer);
            boolean ours = config.peer().equals(cookie.importingPool()) && config.pool().equals(cookie.sourcePool())
                    && module.equals(cookie.module());
            return ours ? cookie.lastAppliedBatch() : -1;
        } catch (Exception e) {
            return -1; // being replaced right now, or forged: nothing is known beyond what was recorded
        }
    }
}
