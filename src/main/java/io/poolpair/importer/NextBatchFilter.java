package io.poolpair.importer;

import io.poolpair.batch.BatchName;
import io.poolpair.share.ShareLayout;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File filter of the import consumer: a batch is picked up only when every batch before it is applied or
 * lies beside it in the Data folder, so batch N+1 that arrives before N stays where it is until N comes.
 * Files that cannot be batches of the peer are let through, so the route quarantines them.
 */
public final class NextBatchFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(NextBatchFilter.class);

    private final ShareLayout share;
    private final ImportState state;
    private final String peer;

    public NextBatchFilter(ShareLayout share, ImportState state, String peer) {
        this.share = share;
        this.state = state;
        this.peer = peer;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return true;
        }
        String module = share.moduleOf(file.getRelativeFilePath());
        Optional<BatchName> name = BatchName.parse(file.getFileNameOnly());
        if (module == null || name.isEmpty() || !name.get().sourcePool().equals(peer) || !name.get().module().equals(module)) {
            return true;
        }
        try {
            long next = state.lastApplied(module) + 1;
            Path folder = file.getFile().toPath().getParent();
            for (long b = next; b < name.get().batch(); b++) {
                if (!Files.exists(folder.resolve(new BatchName(peer, module, b).fileName()))) {
                    LOG.debug("{} waits for batch {}", name.get(), b);
                    return false;
                }
            }
            return true;
        } catch (SQLException e) {
            LOG.warn("cannot read the import state of {}: {}", module, e.getMessage());
            return false;
        }
    }
}
