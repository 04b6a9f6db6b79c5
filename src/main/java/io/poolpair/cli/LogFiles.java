package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import io.poolpair.config.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the commands' log goes. The backend is a runtime choice (Log4j 2 in the distribution, configured by
 * {@code config/log4j2.xml}); nothing here compiles against it, so an application that embeds poolpair keeps its own.
 */
final class LogFiles {

    static final String CONFIGURATION = "log4j2.configurationFile";
    static final String LOG_DIR = "poolpair.log-dir";

    private LogFiles() {
    }

    /** Before anything logs: the configuration in {@code <home>/config/log4j2.xml}, unless one was given. */
    static void useHomeConfiguration() {
        if (System.getProperty(CONFIGURATION) == null) {
            Path file = PoolConfig.locateHome().resolve("config").resolve("log4j2.xml");
            if (Files.isRegularFile(file)) {
                System.setProperty(CONFIGURATION, file.toString());
            }
        }
    }

    /**
     * A service also logs to {@code <data-dir>/logs/poolpair.log} (0700 folder), unless {@code -Dpoolpair.log-dir}
     * names another folder. The configuration is read again so that its file appender (present only when
     * poolpair.log-dir is set) starts.
     */
    static void alsoUnderDataFolder(PoolConfig config) {
        String dir = System.getProperty(LOG_DIR);
        Path folder = dir == null ? config.dataDir().resolve("logs") : Path.of(dir);
        try {
            PrivateFiles.createFolders(folder);
        } catch (IOException e) {
            System.err.println("poolpair: cannot create the log folder " + folder + " (" + e.getMessage()
                    + "): logging to the console only");
            return;
        }
        System.setProperty(LOG_DIR, folder.toAbsolutePath().toString());
        try {
            Class.forName("org.apache.logging.log4j.core.config.Configurator").getMethod("reconfigure").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            // another backend: it keeps its own configuration
        }
    }
}
