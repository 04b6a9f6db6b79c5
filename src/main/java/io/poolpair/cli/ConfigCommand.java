package io.poolpair.cli;

import io.poolpair.config.PoolConfig;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Get-CsBackupServiceConfiguration: the effective configuration, each value with where it came from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show the effective configuration: every key, its value (secrets masked) and its source.")
public final class ConfigCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PoolConfig pool = config.load();
        int width = pool.values().keySet().stream().mapToInt(String::length).max().orElse(20);
        for (String key : new TreeSet<>(pool.values().keySet())) {
            String value = isSecret(key) && !pool.get(key).isEmpty() ? "******" : maskUriSecrets(pool.get(key));
            spec.commandLine().getOut().printf("%-" + width + "s = %-40s  (%s)%n", key, value, pool.source(key));
        }
        spec.commandLine().getOut().flush();
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
