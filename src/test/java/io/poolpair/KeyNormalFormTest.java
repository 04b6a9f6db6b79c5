package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.poolpair.failover.KeyTimes;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A captured key has one compared form (the key times of a batch, the pending keys of a restore, the conflict check):
 * the compact JSON Jackson writes for it. {@link KeyTimes#normalize} writes the common keys without Jackson; whatever
 * form a key comes in (H2's compact text, PostgreSQL's {@code jsonb} text with spaces, escapes, decimals), the result
 * is Jackson's.
 */
class KeyNormalFormTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] VALUES = {"\"alice@example.com\"", "\"\"", "\"with space, and ] , [ \\\" inside\"",
        "\"tab\\there\"", "\"\\u0041\"", "\"caf\u00e9 \u6f22\u5b57 \ud83d\ude00\"", "\" lead and trail \"", "0", "7",
        "123456789012345678", "1234567890123456789012", "-5", "-0", "1.50", "1e3", "2.0E-2", "true", "false", "null",
        "[1, 2]", "{\"a\": 1}"};
    private static final String[] SPACES = {"", " ", "  ", "\n", "\t", "\r\n"};

    @Test
    void everyKeyFormNormalizesToJacksonsCompactForm() throws Exception {
        Random random = new Random(19);
        List<String> keys = new ArrayList<>(List.of("[]", " [ ] ", "[\"a\",1]", "[\"a\", 1]", "[ \"a\" , true , null ]"));
        for (int k = 0; k < 5_000; k++) {
            StringBuilder key = new StringBuilder(space(random)).append('[').append(space(random));
            int values = 1 + random.nextInt(3);
            for (int v = 0; v < values; v++) {
                key.append(v == 0 ? "" : space(random) + "," + space(random)).append(VALUES[random.nextInt(VALUES.length)]);
            }
            keys.add(key.append(space(random)).append(']').append(space(random)).toString());
        }
        for (String key : keys) {
            assertEquals(JSON.writeValueAsString(JSON.readTree(key)), KeyTimes.normalize(key), key);
        }
    }

    @Test
    void aKeyThatIsNotJsonIsRefusedNamingIt() {
        for (String bad : new String[] {"[1,,2]", "[\"a\"", "[truex]", "[01]"}) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> KeyTimes.normalize(bad), bad);
            assertEquals("not a captured key: " + bad, e.getMessage());
        }
    }

    private static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }
}
