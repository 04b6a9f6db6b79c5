package io.poolpair.state;

import io.poolpair.config.SecretText;

/**
 * The one line an operator reads in status for a failure: the exception and its message, followed by the
 * messages of its causes that add something (a transport's "Cannot store file" says where, its cause says why:
 * "Read-only file system"), at most 3,900 characters so that it fits the state tables, with the secrets a share
 * URI may carry masked ({@link SecretText}).
 */
public final class ErrorText {

    private static final int MAX = 3900;

    private ErrorText() {
    }

    public static String of(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !text.toString().contains(message)) {
                text.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(message).append(')');
            }
        }
        return truncate(text.toString());
    }

    /** Masks secrets, then cuts to what fits the state tables. */
    public static String truncate(String s) {
        if (s == null) {
            return null;
        }
        String masked = SecretText.mask(s);
        return masked.length() > MAX ? masked.substring(0, MAX) + "..." : masked;
    }

    /**
     * A log's stack trace of {@code e}, on the lines after the message, with the secrets of share URIs masked (a
     * throwable handed to the logger would be printed raw, and exception messages may quote a share URI).
     */
    public static String stackTrace(Throwable e) {
        if (e == null) {
            return "";
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        return System.lineSeparator() + SecretText.mask(trace.toString().stripTrailing());
    }

    /** For a route or log line: {@code text} with the secrets of share URIs masked. */
    public static String mask(String text) {
        return SecretText.mask(text);
    }
}
