package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Get-CsBackupServiceConfiguration: the effective configuration, each value with where it came from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair config --config poolA.properties"},
        description = "Show the effective configuration: every key, its value (secrets masked) and its source.")
public final class ConfigCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() {
        PoolConfig pool = config.load();
        int width = pool.values().keySet().stream().mapToInt(String::length).max().orElse(20);
        java.io.PrintWriter text = output.text(spec.commandLine().getOut());
        java.util.Map<String, java.util.Map<String, String>> settings = new java.util.LinkedHashMap<>();
        for (String key : new TreeSet<>(pool.values().keySet())) {
            String value = isSecret(key) && !pool.get(key).isEmpty() ? "******" : maskUriSecrets(pool.get(key));
            text.printf("%-" + width + "s = %-40s  (%s)%n", key, value, pool.source(key));
            settings.put(key, java.util.Map.of("value", value, "source", pool.source(key)));
        }
        text.flush();
        output.print(spec.commandLine().getOut(), java.util.Map.of("pool", pool.pool(), "settings", settings));
        return 0;
    }

    /** Masks the secrets a share URI may carry (password=, privateKeyPassphrase=, privateKey=, user:password@). */
    static String maskUriSecrets(String value) {
        return io.poolpair.config.SecretText.mask(value);
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("poolpair.key") || k.contains("password") || k.contains("secret") || k.endsWith(".token");
    }
}
