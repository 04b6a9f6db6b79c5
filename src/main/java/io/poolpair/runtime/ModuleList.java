package io.poolpair.runtime;

import io.poolpair.config.ModuleConfig;
import java.util.List;

/** The configured module names, in order: what an export cycle iterates over. */
public final class ModuleList {

    private final List<String> names;

    public ModuleList(List<ModuleConfig> modules) {
        this.names = modules.stream().map(ModuleConfig::name).toList();
    }

    public List<String> names() {
        return names;
    }
}
