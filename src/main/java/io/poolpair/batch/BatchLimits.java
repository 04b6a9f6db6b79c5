package io.poolpair.batch;

import io.poolpair.config.PoolConfig;

/**
 * The one definition of how large a batch may be, used alike by the exporter (which cuts its batches to fit and
 * checks each staged zip before publishing it) and by the importer (which rejects a file that does not fit). Both
 * pools of a pair should hold the same values: a batch that fits the sender's limits but not the receiver's is
 * refused by the receiver, and the sender shows that as an error (see docs/reliability.md).
 *
 * @param maxEntries          zip entries per batch, manifest and signature included ({@code poolpair.import.max-entries})
 * @param maxBatchBytes       bytes per batch, both the zip file and the sum of its entries' declared sizes
 *                            ({@code poolpair.import.max-batch-bytes})
 * @param maxManifestBytes    bytes of {@code manifest.json} (and of {@code manifest.sig}); fixed
 * @param maxCompressionRatio ratio of declared to stored size of an entry over {@link #RATIO_EXEMPT_BYTES}
 *                            ({@code poolpair.import.max-compression-ratio})
 * @param contentBytesPerCycle conference content shipped per module and export cycle
 *                            ({@code poolpair.max-dataconf-package-size-kb}); the sender's own allowance
 */
public record BatchLimits(int maxEntries, long maxBatchBytes, int maxManifestBytes, int maxCompressionRatio,
                          long contentBytesPerCycle) {

    /** The largest {@code manifest.json} a batch may carry. */
    public static final int MAX_MANIFEST_BYTES = 1 << 20;
    /** Entries below this size are not held to the compression ratio (short NDJSON compresses very well). */
    public static final long RATIO_EXEMPT_BYTES = 1L << 20;
    /** Entries every batch carries besides its data: {@code manifest.json} and {@code manifest.sig}. */
    public static final int FRAME_ENTRIES = 2;

    public static BatchLimits of(PoolConfig config) {
        return new BatchLimits(config.maxEntries(), config.maxBatchBytes(), MAX_MANIFEST_BYTES, config.maxCompressionRatio(),
                config.maxContentBytesPerSync());
    }

    /** Data entries (rows, content files, key times) one batch may hold besides its manifest and signature. */
    public int maxDataEntries() {
        return maxEntries - FRAME_ENTRIES;
    }

    /** How a receiver names these limits in an error, so an operator can compare both pools' settings. */
    public String describe() {
        return "poolpair.import.max-entries = " + maxEntries + ", poolpair.import.max-batch-bytes = " + maxBatchBytes
                + ", manifest.json at most " + maxManifestBytes + " bytes, poolpair.import.max-compression-ratio = "
                + maxCompressionRatio;
    }
}
