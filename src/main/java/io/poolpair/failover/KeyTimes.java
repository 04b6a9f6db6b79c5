package io.poolpair.failover;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.poolpair.state.ChangeLog;
import io.poolpair.state.FailoverKeys;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * While a failover is in effect, the time of the latest write of each key claimed into a batch is kept in
 * {@code pp_failover_key} (it outlives the purge of acknowledged changes) and travels in the batch's manifest,
 * so both pools can keep the newest write of a key written on both sides. Keys are compared in one form: the
 * compact JSON array of the key values.
 */
public final class KeyTimes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyTimes() {
    }

    /** The one form of a captured key ({@code ["a","b"]}), whatever database captured it. */
    public static String normalize(String keyJson) {
        String plain = compactPlain(keyJson);
        if (plain != null) {
            return plain;
        }
        try {
            return JSON.writeValueAsString(JSON.readTree(keyJson));
        } catch (IOException e) {
            throw new UncheckedIOException("not a captured key: " + keyJson, e);
        }
    }

    /**
     * The normal form of a flat array whose values need no rewriting (strings without escapes or control characters,
     * whole numbers of at most 18 digits without sign, true, false, null) — what the capture triggers store for the
     * common key types — with whitespace between the values dropped; null for anything else, which goes through Jackson.
     * Called for every claimed key of every batch: parsing and writing each through Jackson was most of its cost.
     */
    static String compactPlain(String key) {
        int n = key.length();
        int start = skipSpace(key, 0);
        if (start >= n || key.charAt(start) != '[') {
            return null;
        }
        int i = skipSpace(key, start + 1);
        if (i < n && key.charAt(i) == ']') {
            return skipSpace(key, i + 1) == n ? "[]" : null;
        }
        while (true) {
            int end = i < n ? valueEnd(key, i) : -1;
            if (end < 0) {
                return null;
            }
            int next = skipSpace(key, end);
            if (next >= n || (key.charAt(next) != ',' && key.charAt(next) != ']')) {
                return null;
            }
            if (key.charAt(next) == ']') {
                if (skipSpace(key, next + 1) != n) {
                    return null;
                }
                break;
            }
            i = skipSpace(key, next + 1);
        }
        StringBuilder out = new StringBuilder(n);
        boolean inString = false;
        for (int k = start; k < n; k++) {
            char c = key.charAt(k);
            if (c == '"') {
                inString = !inString;
            }
            if (inString || !isSpace(c)) {
                out.append(c);
            }
        }
        return out.length() == n ? key : out.toString();
    }

    /** The end of the plain value at {@code i}, or -1 when it is not one. */
    private static int valueEnd(String key, int i) {
        char c = key.charAt(i);
        if (c == '"') {
            for (int k = i + 1; k < key.length(); k++) {
                char s = key.charAt(k);
                if (s == '"') {
                    return k + 1;
                }
                if (s == '\\' || s < 0x20) {
                    return -1;
                }
            }
            return -1;
        }
        if (c >= '0' && c <= '9') {
            int k = i;
            while (k < key.length() && key.charAt(k) >= '0' && key.charAt(k) <= '9') {
                k++;
            }
            return (c == '0' && k > i + 1) || k - i > 18 ? -1 : k;
        }
        for (String word : WORDS) {
            if (key.startsWith(word, i)) {
                return i + word.length();
            }
        }
        return -1;
    }

    private static final String[] WORDS = {"true", "false", "null"};

    private static int skipSpace(String key, int i) {
        while (i < key.length() && isSpace(key.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Records the keys of {@code batch}, in the claiming transaction, with the time of their latest write. */
    public static void recordClaimed(Connection conn, String module, long batch) throws SQLException {
        List<ChangeLog.KeyTime> claimed = new ArrayList<>();
        for (ChangeLog.KeyTime c : ChangeLog.latestWrites(conn, module, batch)) {
            claimed.add(new ChangeLog.KeyTime(c.table(), normalize(c.key()), c.changedAt()));
        }
        FailoverKeys.record(conn, module, claimed);
    }
}
