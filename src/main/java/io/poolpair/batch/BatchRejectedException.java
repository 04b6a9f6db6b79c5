package io.poolpair.batch;

/** A file from the share that must not be applied; it goes to quarantine with this message as its reason. */
public class BatchRejectedException extends Exception {

    private final boolean incurable;

    public BatchRejectedException(String reason) {
        this(reason, null, false);
    }

    public BatchRejectedException(String reason, Throwable cause) {
        this(reason, cause, false);
    }

    private BatchRejectedException(String reason, Throwable cause, boolean incurable) {
        super(reason, cause);
        this.incurable = incurable;
    }

    /**
     * A rejection a re-sent copy cannot cure: the file is intact and signed by the pair's key, but what the sender
     * made breaks a limit or a check of the receiver (a truncated, corrupt or unsigned copy is curable: it is re-sent).
     */
    public static BatchRejectedException incurable(String reason) {
        return new BatchRejectedException(reason, null, true);
    }

    public static BatchRejectedException incurable(String reason, Throwable cause) {
        return new BatchRejectedException(reason, cause, true);
    }

    public boolean incurable() {
        return incurable;
    }
}
