package io.poolpair.batch;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code <sourcePool>-<module>-<12-digit batch>.zip}: names sort in apply order. */
public record BatchName(String sourcePool, String module, long batch) {

    private static final Pattern PATTERN =
            Pattern.compile("([A-Za-z0-9_-]+?)-([A-Za-z0-9_]+\\.[A-Za-z0-9_]+)-(\\d{12})\\.zip");

    public static Optional<BatchName> parse(String fileName) {
        Matcher m = PATTERN.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new BatchName(m.group(1), m.group(2), Long.parseLong(m.group(3))));
    }

    public String fileName() {
        return String.format("%s-%s-%012d.zip", sourcePool, module, batch);
    }

    @Override
    public String toString() {
        return fileName();
    }
}
