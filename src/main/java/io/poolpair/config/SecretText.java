package io.poolpair.config;

import java.util.regex.Pattern;

/**
 * The one masking function for text that may quote a share URI: exception messages recorded for status (through
 * {@code state/ErrorText}), configuration errors, the {@code config} command, hook reasons and Camel's log lines.
 * Masks the values of {@code password=}, {@code passphrase=}, {@code privateKeyPassphrase=} and {@code privateKey=}
 * (plain or {@code RAW(...)}) and the password of a URI's user info ({@code sftp://user:secret@host}).
 */
public final class SecretText {

    public static final String MASK = "******";

    private static final Pattern QUERY_SECRET = Pattern.compile(
            "(?i)(?<![A-Za-z0-9_])((?:password|passphrase|privateKeyPassphrase|privateKey)=)(?:RAW\\([^)]*\\)|[^&\\s]+?(?=[:;,.)]?(?:\\s|&|$)))");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile(
            "(?i)\\b([a-z][a-z0-9+.-]*://[^/\\s:@?#]*):[^@\\s/?#]*@");

    private SecretText() {
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = QUERY_SECRET.matcher(text).replaceAll("$1" + MASK);
        return USER_INFO_PASSWORD.matcher(masked).replaceAll("$1:" + MASK + "@");
    }
}
