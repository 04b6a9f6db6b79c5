package io.poolpair.exporter;

import io.poolpair.batch.BatchRejectedException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The peer's importer checks, run on a zip this pool staged before it is put in place and published
 * ({@code importer.BatchVerifier#checkStaged}: the same code, with this pool as the source).
 */
@FunctionalInterface
public interface StagedCheck {
    void check(Path stagedZip) throws BatchRejectedException, IOException;
}
