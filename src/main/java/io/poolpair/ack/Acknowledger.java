package io.poolpair.ack;

import io.poolpair.Headers;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.Cookie;
import io.poolpair.batch.ManifestDigest;
import io.poolpair.batch.Signer;
import io.poolpair.config.PoolConfig;
import io.poolpair.state.ExportState;
import io.poolpair.share.ShareLayout;
import io.poolpair.state.PeerIncarnations;
import io.poolpair.state.StoreIncarnation;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a cookie the peer wrote into this pool's share, as the {@code read-cookie} route read and authenticated it, and
 * sets the acknowledged module and batch headers.
 * Anything forged, from another pool or for another module is refused. A cookie is also how this pool learns the
 * peer's incarnation and how the two histories compare; the contradictions are acted on here:
 * <ul>
 * <li>a new incarnation of the peer: it is owed a restore snapshot ({@link PeerIncarnations});</li>
 * <li>the peer has applied batches of this store's incarnation that this store never numbered: this store went back
 * in time (restored from an older backup that kept its incarnation), so it starts a new one;</li>
 * <li>the peer's count of this store's batches went back below what it acknowledged: its store went back in time,
 * and it is sent a restore snapshot.</li>
 * </ul>
 */
public final class Acknowledger implements CamelContextAware {

    /** The route that reads a cookie file (the one reader: link and size checks, camel-zipfile unzip, authentication). */
    static final String READ_COOKIE = "direct:read-cookie";
    private static final Logger LOG = LoggerFactory.getLogger(Acknowledger.class);

    private final PoolConfig config;
    private final ShareLayout share;
    private final Signer signer;
    private final StoreIncarnation incarnation;
    private final PeerIncarnations peers;
    private final ExportState exports;
    /** Set by the registry the bean is bound into: cookies are read through its {@value #READ_COOKIE} route. */
    private volatile CamelContext camelContext;
    private ProducerTemplate template;

    public Acknowledger(PoolConfig config, ShareLayout share, Signer signer, StoreIncarnation incarnation,
                        PeerIncarnations peers, ExportState exports) {
        this.config = config;
        this.share = share;
        this.signer = signer;
        this.incarnation = incarnation;
        this.peers = peers;
        this.exports = exports;
    }

    /**
     * First step for a cookie file: it lies in a configured module's Cookie folder, and is still there (else the peer is
     * replacing it right now, and the next poll reads the new one). Nothing of it is read here.
     */
    public void locate(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        File file = msg.getBody(File.class);
        String relative = msg.getHeader(Exchange.FILE_NAME, String.class);
        if (share.moduleOf(relative) == null) {
            throw new Cookie.CookieRejectedException(relative + " belongs to no configured module");
        }
        if (!Files.exists(file.toPath(), LinkOption.NOFOLLOW_LINKS)) {
            exchange.setRouteStop(true);
        }
    }

    /** After {@code direct:read-cookie} made the body the authenticated cookie: checks whom it is from and about. */
    public void accept(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        Cookie cookie = msg.getMandatoryBody(Cookie.class);
        String relative = msg.getHeader(Exchange.FILE_NAME, String.class);
        String module = share.moduleOf(relative);
        if (!config.peer().equals(cookie.importingPool()) || !config.pool().equals(cookie.sourcePool())) {
            throw new Cookie.CookieRejectedException("cookie is from " + cookie.importingPool() + " about " + cookie.sourcePool()
                    + ", expected " + config.peer() + " about " + config.pool());
        }
        if (!module.equals(cookie.module())) {
            throw new Cookie.CookieRejectedException("cookie names module " + cookie.module() + " but lies in " + relative);
        }
        if (!exports.admitCookie(module, cookie.sequence())) {
            throw new Cookie.CookieRejectedException("cookie " + cookie.sequence() + " (applied batch " + cookie.lastAppliedBatch()
                    + ") is older than a cookie of " + module + " read before: an old cookie replayed into the share, or"
                    + " overtaken; it neither moves nor resets the acknowledgement");
        }
        PeerIncarnations.Seen seen = peers.observe(cookie.importingIncarnation(), "cookie of " + module);
        if (seen == PeerIncarnations.Seen.RETIRED) {
            LOG.info("{}: ignored a cookie of {}'s replaced incarnation {}", module, config.peer(), cookie.importingIncarnation());
            exchange.setRouteStop(true);
            return;
        }
        msg.setHeader(Headers.MODULE, module);
        msg.setHeader(Headers.ACKED_BATCH, acknowledged(module, cookie, seen));
        Cookie.Refusal refused = cookie.refused();
        boolean ours = refused != null && incarnation.current().equals(refused.incarnation());
        msg.setHeader(Headers.PEER_REFUSED_BATCH, ours ? refused.batch() : null);
        msg.setHeader(Headers.PEER_REFUSED, ours ? refused.reason() : null);
        msg.setHeader(Headers.PEER_IMPORT_ERROR, "ErrorState".equals(cookie.importState())
                ? (cookie.lastError() == null ? "ErrorState" : cookie.lastError()) : null);
    }

    /** How far the cookie acknowledges this store's current incarnation, after acting on any contradiction. */
    private long acknowledged(String module, Cookie cookie, PeerIncarnations.Seen seen) throws Exception {
        String mine = incarnation.current();
        if (!mine.equals(cookie.sourceIncarnation())) {
            return 0; // the peer has applied nothing of this incarnation yet
        }
        ExportState.Snapshot s = exports.get(module);
        long applied = cookie.lastAppliedBatch();
        String contradiction = cookie.contradiction() != null ? config.peer() + " reports: " + cookie.contradiction()
                : applied > s.lastBatch() ? config.peer() + "'s cookie says it applied batch " + applied + " of " + module
                + ", but this store numbered only " + s.lastBatch()
                : appliedOther(module, applied, s, cookie) ? config.peer() + "'s cookie says it applied batch " + applied
                + " of " + module + " with manifest sha256 " + cookie.lastAppliedManifest() + ", not the batch " + applied
                + " this store staged"
                : null;
        if (contradiction != null) {
            String what = contradiction + " (this store's incarnation " + mine + "): this store went back in time (restored"
                    + " from an older backup?). It starts a new incarnation at its next export cycle, exports the changes"
                    + " made since it started again from batch 1, and " + config.peer() + " sends it a restore snapshot";
            exports.recordContradiction(module, what);
            incarnation.requestRenewal(mine, what);
            return 0;
        }
        boolean restoring = s.restoreRequested() || s.restoreLastBatch() > s.ackedBatch();
        if (applied < s.ackedBatch() && seen != PeerIncarnations.Seen.NEW && !restoring) {
            exports.requestRestore(config.peer() + " reports batch " + applied + " of " + module + " as its last applied, below"
                    + " the " + s.ackedBatch() + " it acknowledged before: its store went back in time (restored from an older"
                    + " backup?), so it is sent a restore snapshot of everything this pool holds");
        }
        return applied;
    }

    /**
     * True when the batch the peer says it applied last is not this store's batch of that number: its staged zip,
     * kept in the outbox until acknowledged, has another manifest, or is not staged yet (numbered a moment ago), so
     * the peer cannot have had it. The peer applied a batch of a history this store lost.
     */
    private boolean appliedOther(String module, long applied, ExportState.Snapshot s, Cookie cookie) {
        if (applied <= s.ackedBatch() || cookie.lastAppliedManifest() == null) {
            return false;
        }
        return ManifestDigest.ofZip(config.outbox().resolve(new BatchName(config.pool(), module, applied).fileName()))
                .map(staged -> !staged.equals(cookie.lastAppliedManifest())).orElse(true);
    }

    /**
     * How far the peer has applied {@code module} of this store's incarnation according to its cookie as it lies in
     * this pool's share now, or -1 when there is no valid cookie: the peer may have moved on since the cookie being
     * processed was read.
     */
    public long appliedNow(String module) {
        try {
            Path file = share.localCookie(module);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || camelContext == null) {
                return -1;
            }
            Cookie cookie = reader().requestBody(READ_COOKIE, file.toFile(), Cookie.class);
            boolean ours = config.peer().equals(cookie.importingPool()) && config.pool().equals(cookie.sourcePool())
                    && module.equals(cookie.module()) && incarnation.current().equals(cookie.sourceIncarnation());
            return ours ? cookie.lastAppliedBatch() : -1;
        } catch (Exception e) {
            return -1; // being replaced right now, or forged: nothing is known beyond what was recorded
        }
    }

    private synchronized ProducerTemplate reader() {
        if (template == null) {
            template = camelContext.createProducerTemplate();
        }
        return template;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
