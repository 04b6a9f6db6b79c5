package io.poolpair.importer;

import io.poolpair.state.ImportState;
import io.poolpair.batch.BatchName;
import io.poolpair.batch.BatchFile;
import io.poolpair.batch.BatchRejectedException;
import io.poolpair.batch.Manifest;
import io.poolpair.batch.Signer;
import io.poolpair.batch.ZipBounds;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipFile;
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
 * lies beside it in the Data folder, so batch N+1 that arrives before N stays where it is until N comes. The
 * first part of a restore snapshot is the exception: its baseline supersedes every batch before it, so it is
 * picked up whatever is missing (its manifest is read once per file to tell). Files that cannot be batches of the
 * peer are let through, so the route quarantines them. A batch the filter holds back is noted as waited for: a gap
 * that does not fill becomes an error.
 */
public final class NextBatchFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(NextBatchFilter.class);
    private static final int REMEMBERED = 256;

    private final ShareLayout share;
    private final ImportState state;
    private final String peer;
    private final Signer signer;
    private final ZipBounds bounds;
    /** Whether a file (by name, size and time) is the first part of a restore, as its signed manifest said. */
    private final Map<String, Boolean> baselines = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public NextBatchFilter(ShareLayout share, ImportState state, String peer, Signer signer, ZipBounds bounds) {
        this.bounds = bounds;
        this.share = share;
        this.state = state;
        this.peer = peer;
        this.signer = signer;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (Files.isSymbolicLink(file.getFile().toPath()) && file.isDirectory()) {
            // a link in the share is never followed: its files may be anywhere on this machine
            LOG.warn("ignored {} in the share: a symbolic link to a folder", file.getRelativeFilePath());
            return false;
        }
        if (file.isDirectory()) {
            return true;
        }
        if (!insideShare(file.getFile().toPath())) {
            LOG.warn("ignored {}: its folder leads out of the share", file.getRelativeFilePath());
            return false;
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
                    if (isBaseline(file.getFile())) {
                        return true;
                    }
                    LOG.debug("{} waits for batch {}", name.get(), b);
                    state.noteWaiting(module, b);
                    return false;
                }
            }
            return true;
        } catch (SQLException e) {
            LOG.warn("cannot read the import state of {}: {}", module, e.getMessage());
            return false;
        }
    }

    /** True when the file's folder, links resolved, lies under this pool's share (a linked folder is not followed). */
    private boolean insideShare(Path path) {
        try {
            return path.getParent().toRealPath().startsWith(share.localRoot().toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** The first part of a restore, by its signed manifest; a file that cannot tell is not one (the verifier judges it). */
    private boolean isBaseline(File file) {
        String key = file.getName() + '/' + file.length() + '/' + file.lastModified();
        return baselines.computeIfAbsent(key, k -> {
            try {
                bounds.check(file.toPath());
            } catch (IOException | BatchRejectedException e) {
                return false; // the verifier rejects it with the reason
            }
            try (ZipFile zip = new ZipFile(file)) {
                Manifest manifest = BatchFile.readSignedManifest(zip, signer);
                return manifest.restore() && manifest.part() == 1;
            } catch (IOException | BatchRejectedException | RuntimeException e) {
                return false;
            }
        });
    }
}
