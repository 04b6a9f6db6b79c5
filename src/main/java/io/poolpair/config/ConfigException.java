package io.poolpair.config;

/** Invalid configuration: the message names the key, table or path to fix. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
