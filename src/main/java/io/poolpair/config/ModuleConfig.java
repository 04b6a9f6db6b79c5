package io.poolpair.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A module: a named set of tables replicated together, e.g. {@code UserServices.PresenceFocus}.
 * The name's two parts are the share folders {@code <Category>/<Module>}. Every row has one owning pool: the
 * one its {@code ownerColumn} names, or, for a module without an owner column, {@code ownerPool}.
 */
public record ModuleConfig(String name, List<String> tables, Optional<String> ownerColumn, Optional<Path> contentDir,
                           Optional<String> contentTable, Optional<String> ownerPool) {

    /** True when the module names its owner pool and it is not {@code pool}: none of its rows is {@code pool}'s. */
    public boolean ownedByOtherThan(String pool) {
        return ownerPool.isPresent() && !ownerPool.get().equals(pool);
    }

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
