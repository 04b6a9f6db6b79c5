package io.poolpair.ack;

import io.poolpair.Headers;
import io.poolpair.batch.Signer;
import io.poolpair.importer.ImportState;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** Builds the signed cookie that tells the peer how far this pool has applied its batches of a module. */
public final class CookieWriter {

    private final ImportState state;
    private final Signer signer;
    private final String pool;
    private final String peer;

    public CookieWriter(ImportState state, Signer signer, String pool, String peer) {
        this.state = state;
        this.signer = signer;
        this.pool = pool;
        this.peer = peer;
    }

    /** The cookie's bytes; the batch it acknowledges goes into the {@code PoolPairCookieBatch} header. */
    public byte[] build(@Header(Headers.MODULE) String module, Exchange exchange) throws Exception {
        ImportState.Snapshot s = state.get(module);
        exchange.getMessage().setHeader(Headers.COOKIE_BATCH, s.lastApplied());
        Cookie cookie = new Cookie(Cookie.FORMAT, pool, peer, module, s.lastApplied(),
                s.appliedAt() == null ? null : s.appliedAt().toString(),
                s.lastError() == null ? "NormalState" : "ErrorState", s.lastError());
        return cookie.toZip(signer);
    }
}
