package io.poolpair.ack;

import io.poolpair.Headers;
import io.poolpair.batch.Cookie;
import io.poolpair.batch.Signer;
import io.poolpair.state.ExportState;
import io.poolpair.state.ImportState;
import io.poolpair.state.StoreIncarnation;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Builds the signed cookie that tells the peer how far this pool has applied its batches of a module, of which
 * incarnation, and in which state (a gap that does not fill is an ErrorState the peer shows too). Written after
 * every applied or skipped batch, and once every export cycle, so the peer hears from this pool (and learns its
 * incarnation) even when nothing flows.
 */
public final class CookieWriter {

    private final ImportState state;
    private final StoreIncarnation incarnation;
    private final Signer signer;
    private final String pool;
    private final String peer;
    private final Duration resendAfter;
    private final ExportState exports;
    /** The sequence of the last cookie built here: its successor's is the clock in ms, or this plus one if not later. */
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

    public CookieWriter(ImportState state, ExportState exports, StoreIncarnation incarnation, Signer signer, String pool,
                        String peer, Duration resendAfter) {
        this.exports = exports;
        this.state = state;
        this.incarnation = incarnation;
        this.signer = signer;
        this.pool = pool;
        this.peer = peer;
        this.resendAfter = resendAfter;
    }

    /**
     * The cookie's signed envelope (the write-cookie route zips it as {@code cookie.json}); the batch it acknowledges
     * goes into the {@code PoolPairCookieBatch} header.
     */
    public byte[] build(@Header(Headers.MODULE) String module, Exchange exchange) throws Exception {
        ImportState.Snapshot s = state.get(module);
        String mine = incarnation.current();
        String error = s.error(peer, resendAfter);
        // while a restore this pool sent the peer is unacknowledged, report no more of the peer's batches than the
        // restore holds: the peer keeps its later changes pending, and the restore leaves those keys alone
        long applied = Math.min(s.lastApplied(), exports.get(module).reportCap(s.sourceIncarnation()).orElse(Long.MAX_VALUE));
        exchange.getMessage().setHeader(Headers.COOKIE_BATCH, applied);
        Cookie cookie = new Cookie(Cookie.FORMAT, pool, peer, module, applied,
                s.appliedAt() == null ? null : s.appliedAt().toString(), error == null ? "NormalState" : "ErrorState", error,
                mine, s.sourceIncarnation(), applied > 0 ? state.appliedManifest(module, applied).orElse(null) : null,
                s.currentContradiction(), s.refusedBatch() == null ? null
                : new Cookie.Refusal(s.refusedBatch(), s.refusedIncarnation(), s.refusedReason()),
                sequence.updateAndGet(last -> Math.max(System.currentTimeMillis(), last + 1)));
        return cookie.toEnvelope(signer);
    }
}
