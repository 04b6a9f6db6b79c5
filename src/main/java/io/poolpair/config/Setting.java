package io.poolpair.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: its name ({@code <M>} stands for a module's name in a per-module key), its
 * default (raw text, may refer to other keys as {@code ${key}}; null: none), a one-line description, and the parser
 * that turns the effective text into a typed value or throws a {@link ConfigException} naming the key and the value.
 * The table of all of them is {@link Settings}; {@code docs/configuration.md} is generated from it.
 */
public final class Setting<T> {

    /** Turns the key's effective text (null or blank: not set) into its value; throws ConfigException when invalid. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String key, String value);
    }

    private final String name;
    private final String type;
    private final String defaultValue;
    private final String description;
    private final Parser<T> parser;
    private final boolean blankMeansDefault;

    private Setting(String name, String type, String defaultValue, String description, Parser<T> parser) {
        this(name, type, defaultValue, description, parser, false);
    }

    private Setting(String name, String type, String defaultValue, String description, Parser<T> parser,
                    boolean blankMeansDefault) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
        this.blankMeansDefault = blankMeansDefault;
    }

    public String name() {
        return name;
    }

    /** What the value is, as the documentation names it (duration, boolean, path, ...). */
    public String type() {
        return type;
    }

    /** The default's raw text, or empty when the key has none. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** True for a per-module key ({@code poolpair.module.<M>.*}). */
    public boolean perModule() {
        return name.contains("<M>");
    }

    /** The key of this per-module setting for one module. */
    public String forModule(String module) {
        return name.replace("<M>", module);
    }

    public T parse(String key, String value) {
        return parser.parse(key, blankMeansDefault && (value == null || value.isBlank()) ? defaultValue : value);
    }

    /** The same setting, also refusing a set value for which {@code valid} fails, with {@code problem} after the value. */
    public Setting<T> check(Predicate<T> valid, String problem) {
        Parser<T> inner = parser;
        return new Setting<>(name, type, defaultValue, description, (key, value) -> {
            T parsed = inner.parse(key, value);
            if (parsed != null && !valid.test(parsed)) {
                throw new ConfigException(key + " = " + (value == null ? "" : value.trim()) + ": " + problem);
            }
            return parsed;
        }, blankMeansDefault);
    }

    // ------------------------------------------------------------------ declarations by type

    /** Free text, trimmed; empty when not set. */
    public static Setting<String> text(String name, String defaultValue, String description) {
        return new Setting<>(name, "text", defaultValue, description, (key, value) -> value == null ? "" : value.trim());
    }

    /** Text that must be set. */
    public static Setting<String> required(String name, String description) {
        return new Setting<>(name, "text (required)", null, description, (key, value) -> require(key, value));
    }

    /** Strictly {@code true} or {@code false}: anything else is a configuration error naming key and value. */
    public static Setting<Boolean> bool(String name, String defaultValue, String description) {
        return new Setting<>(name, "boolean", defaultValue, description, (key, value) -> {
            String v = require(key, value);
            if (!v.equals("true") && !v.equals("false")) {
                throw new ConfigException(key + " = " + v + ": use true or false");
            }
            return Boolean.parseBoolean(v);
        });
    }

    /** True, false, or empty (not set): {@code Optional.empty()}. */
    public static Setting<Optional<Boolean>> optionalBool(String name, String description) {
        return new Setting<>(name, "boolean or empty", null, description, (key, value) -> {
            String v = value == null ? "" : value.trim();
            if (v.isEmpty()) {
                return Optional.empty();
            }
            if (!v.equals("true") && !v.equals("false")) {
                throw new ConfigException(key + " = " + v + ": use true or false");
            }
            return Optional.of(Boolean.parseBoolean(v));
        });
    }

    /** A positive whole number (int range). */
    public static Setting<Integer> positiveInt(String name, String defaultValue, String description) {
        return blankIsDefault(new Setting<>(name, "positive integer", defaultValue, description, (key, value) -> {
            long n = parsePositive(key, value);
            if (n > Integer.MAX_VALUE) {
                throw new ConfigException(key + " = " + n + ": too large");
            }
            return (int) n;
        }));
    }

    /** A positive whole number (long range). */
    public static Setting<Long> positiveLong(String name, String defaultValue, String description) {
        return blankIsDefault(new Setting<>(name, "positive integer", defaultValue, description, Setting::parsePositive));
    }

    /** A number set to nothing ({@code key =}) takes its default. */
    private static <T> Setting<T> blankIsDefault(Setting<T> s) {
        return new Setting<>(s.name, s.type, s.defaultValue, s.description, s.parser, true);
    }

    /** A positive ISO-8601 duration (PT5S, PT2M, PT1H). */
    public static Setting<Duration> duration(String name, String defaultValue, String description) {
        return new Setting<>(name, "duration", defaultValue, description, (key, value) -> {
            String v = require(key, value);
            Duration d;
            try {
                d = Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new ConfigException(key + " = " + v + ": not an ISO-8601 duration (examples: PT5S, PT2M, PT1H)", e);
            }
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(key + " = " + v + ": must be positive");
            }
            return d;
        });
    }

    /** A folder of this machine: a path or a {@code file:} URI, made absolute. */
    public static Setting<Path> folder(String name, String defaultValue, String description) {
        return new Setting<>(name, defaultValue == null ? "folder (required)" : "folder", defaultValue, description, (key, value) -> localFolder(key, require(key, value)));
    }

    /** As {@link #folder}, optional: empty when not set. */
    public static Setting<Optional<Path>> optionalFolder(String name, String description) {
        return new Setting<>(name, "folder or empty", null, description, (key, value) ->
                value == null || value.isBlank() ? Optional.empty() : Optional.of(localFolder(key, value.trim())));
    }

    /** A file path, made absolute; empty when not set. */
    public static Setting<Optional<Path>> optionalFile(String name, String description) {
        return new Setting<>(name, "file or empty", null, description, (key, value) ->
                value == null || value.isBlank() ? Optional.empty() : Optional.of(absolute(value.trim())));
    }

    /** A comma-separated list; empty when not set. */
    public static Setting<List<String>> list(String name, String defaultValue, String description) {
        return new Setting<>(name, "list", defaultValue, description, (key, value) -> value == null || value.isBlank()
                ? List.of() : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    // ------------------------------------------------------------------ helpers of the parsers

    static String require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + " is missing");
        }
        return value.trim();
    }

    private static long parsePositive(String key, String value) {
        String v = require(key, value);
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new ConfigException(key + " = " + v + ": must be a positive whole number");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " = " + v + ": must be a positive whole number", e);
        }
    }

    private static Path localFolder(String key, String v) {
        if (v.startsWith("file:")) {
            v = v.substring("file:".length());
        } else if (v.matches("^[a-z][a-z0-9+.-]*:.*") && !v.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new ConfigException(key + " = " + v + ": only local folders (or file: URIs) are supported as shares");
        }
        return absolute(v);
    }

    static Path absolute(String v) {
        return Path.of(v).toAbsolutePath().normalize();
    }
}
