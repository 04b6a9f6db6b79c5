package io.poolpair.cli;

import io.poolpair.config.PrivateFiles;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Writes a fresh random key for a pair (poolpair.key-file), readable by its owner only. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  poolpair keygen data/pair.key   # then copy the same file to the paired pool"},
        description = "Write a fresh random key for a pair into FILE (32 random bytes as 64 hex digits, file mode 0600);"
                + " set poolpair.key-file to it on this pool and copy the same file to the paired pool."
                + " Exit code 0 when written, 2 when FILE exists (without --force) or cannot be written.")
public final class KeygenCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The key file to write.")
    Path file;

    @Option(names = "--force", description = "Replace FILE when it exists (both pools then need the new key).")
    boolean force;

    @Mixin
    JsonOutput output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String text = HexFormat.of().formatHex(key) + "\n";
        try {
            if (force) {
                PrivateFiles.writeSecret(file, text);
            } else {
                PrivateFiles.createSecret(file, text);
            }
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("poolpair: " + file + " exists: not overwritten (use --force to replace it;"
                    + " both pools then need the new key)");
            return 2;
        } catch (Exception e) {
            spec.commandLine().getErr().println("poolpair: cannot write " + file + ": " + e.getMessage());
            return 2;
        }
        output.text(spec.commandLine().getOut()).println("wrote a new pair key to " + file.toAbsolutePath().normalize()
                + " (mode 0600): set poolpair.key-file to it and copy it to the paired pool");
        output.print(spec.commandLine().getOut(), java.util.Map.of("file", file.toAbsolutePath().normalize().toString(),
                "mode", "0600", "keyBits", key.length * 8));
        return 0;
    }
}
