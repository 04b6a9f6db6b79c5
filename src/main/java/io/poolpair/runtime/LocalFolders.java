package io.poolpair.runtime;

import io.poolpair.config.ModuleConfig;
import io.poolpair.config.PoolConfig;
import io.poolpair.config.PrivateFiles;
import io.poolpair.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the key file's permissions (a warning when group or others can read it), and prepares this pool's local state (data folder with the embedded store, outbox, quarantine, content folders): created
 * 0700 when absent, so that other local users cannot read rows, batches or the HTTP token; an existing folder
 * others can read is kept as it is, with a warning.
 */
final class LocalFolders {

    private static final Logger LOG = LoggerFactory.getLogger(LocalFolders.class);

    private LocalFolders() {
    }

    static void prepare(PoolConfig config) {
        for (String secret : List.of("poolpair.key", "poolpair.http.token", "poolpair.datasource.password")) {
            if ("system property".equals(config.source(secret)) && !config.get(secret, "").isEmpty()) {
                LOG.warn("{} is set as a system property (-D{}=...): every local user can read it in the process list;"
                        + " use {} instead", secret, secret, secret.equals("poolpair.datasource.password")
                        ? "the pool's configuration file (mode 0600)" : secret + "-file");
            }
        }
        if (config.keyFile().isPresent()) {
            Path keyFile = config.keyFile().get();
            try {
                if (PrivateFiles.readableByOthers(keyFile)) {
                    LOG.warn("poolpair.key-file = {} can be read by other users of this machine (group or others):"
                            + " chmod 600 it", keyFile);
                }
            } catch (IOException e) {
                LOG.warn("poolpair.key-file = {}: cannot read its permissions ({})", keyFile, e.getMessage());
            }
        }
        List<Path> folders = new ArrayList<>(List.of(config.dataDir(), config.outbox(), config.quarantine(),
                config.importPrivateDir()));
        for (ModuleConfig module : config.modules()) {
            module.contentDir().ifPresent(folders::add);
        }
        for (Path folder : folders) {
            try {
                if (Files.isDirectory(folder) && PrivateFiles.readableByOthers(folder)) {
                    LOG.warn("{} can be read by other users of this machine: chmod 700 it", folder);
                }
                PrivateFiles.createFolders(folder);
            } catch (IOException e) {
                throw new ConfigException("cannot create the folder " + folder + " (" + e.getMessage() + ")", e);
            }
        }
    }
}
