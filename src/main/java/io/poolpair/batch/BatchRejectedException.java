package io.poolpair.batch;

/** A file from the share that must not be applied; it goes to quarantine with this message as its reason. */
public class BatchRejectedException extends Exception {
    public BatchRejectedException(String reason) {
        super(reason);
    }

    public BatchRejectedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
