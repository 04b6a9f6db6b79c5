package io.poolpair.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where poolpair is installed: the folder holding {@code config/} and {@code routes/}. */
final class PoolHome {

    private PoolHome() {
    }

    /** {@code -Dpoolpair.home}, else the working directory when it holds both, else the folder above the jar. */
    static Path locate() {
        String prop = System.getProperty("poolpair.home");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("routes")) && Files.isDirectory(cwd.resolve("config"))) {
            return cwd;
        }
        try {
            Path jar = Path.of(PoolHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/poolpair.jar or target/classes -> the project folder
            Path candidate = jar.getParent().getParent();
            if (candidate != null && Files.isDirectory(candidate.resolve("routes"))) {
                return candidate;
            }
        } catch (Exception ignored) {
            // fall through to the working directory
        }
        return cwd;
    }
}
