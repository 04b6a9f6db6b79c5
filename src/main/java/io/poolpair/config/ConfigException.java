package io.poolpair.config;

/** Invalid configuration: the message names the key, table or path to fix (secrets a share URI carries masked). */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(SecretText.mask(message));
    }

    public ConfigException(String message, Throwable cause) {
        super(SecretText.mask(message), cause);
    }
}
