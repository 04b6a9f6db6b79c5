package io.poolpair.runtime;

import io.poolpair.config.ModuleConfig;
import java.util.List;
import org.apache.camel.Body;

/** The configured module names, in order: what an export cycle iterates over. */
public final class ModuleList {

    private final List<String> names;

    public ModuleList(List<ModuleConfig> modules) {
        this.names = modules.stream().map(ModuleConfig::name).toList();
    }

    public List<String> names() {
        return names;
    }

    /** The module named in the body, or every module when the body is empty or {@code All}. */
    public List<String> select(@Body String module) {
        if (module == null || module.isBlank() || module.equalsIgnoreCase("All")) {
            return names;
        }
        if (!names.contains(module)) {
            throw new IllegalArgumentException("unknown module '" + module + "'; configured: " + names);
        }
        return List.of(module);
    }
}
