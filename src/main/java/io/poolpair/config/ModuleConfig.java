package io.poolpair.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A module: a named set of tables replicated together, e.g. {@code UserServices.PresenceFocus}.
 * The name's two parts are the share folders {@code <Category>/<Module>}.
 */
public record ModuleConfig(String name, List<String> tables, Optional<String> ownerColumn, Optional<Path> contentDir,
                           Optional<String> contentTable) {

    public String category() {
        return name.substring(0, name.indexOf('.'));
    }

    public String shortName() {
        return name.substring(name.indexOf('.') + 1);
    }

    /** Relative folder of this module inside a share: {@code Category/Module}. */
    public String folder() {
        return category() + "/" + shortName();
    }
}
