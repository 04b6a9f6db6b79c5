package io.poolpair.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the table of keys in {@code docs/configuration.md} from {@link Settings}, between the markers {@link #BEGIN}
 * and {@link #END}; the prose around them is kept. {@code ConfigDocTest} fails when the committed page and the table
 * differ. Run: {@value #COMMAND}
 */
public final class ConfigDoc {

    public static final String COMMAND = "mvn -B -q -o compile && java -cp target/classes io.poolpair.config.ConfigDoc"
            + " docs/configuration.md";
    public static final String BEGIN = "<!-- settings table: generated from io.poolpair.config.Settings by"
            + " io.poolpair.config.ConfigDoc; edit the table there -->";
    public static final String END = "<!-- end of settings table -->";

    private ConfigDoc() {
    }

    public static void main(String[] args) throws IOException {
        Path page = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        String before = Files.readString(page, StandardCharsets.UTF_8);
        String after = render(before);
        if (!after.equals(before)) {
            Files.writeString(page, after, StandardCharsets.UTF_8);
        }
        System.out.println(page + (after.equals(before) ? ": the table is current" : ": table written"));
    }

    /** The page with its table section replaced by {@link #table()}; fails when the page lacks the markers. */
    public static String render(String page) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the page has no settings table section: put the lines " + BEGIN
                    + " and " + END + " where the table goes");
        }
        return page.substring(0, begin + BEGIN.length()) + "\n" + table() + page.substring(end);
    }

    /** The table of keys, one row per key, in the order of {@link Settings#ALL} then {@link Settings#MODULE_SETTINGS}. */
    public static String table() {
        List<Setting<?>> rows = new ArrayList<>(Settings.ALL);
        rows.addAll(Settings.MODULE_SETTINGS);
        StringBuilder out = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
        for (Setting<?> s : rows) {
            String def = s.defaultValue().map(d -> d.isEmpty() ? "empty" : "`" + d + "`")
                    .orElse(s == Settings.HOME ? "(derived)" : "–");
            out.append("| `").append(s.name()).append("` | ").append(s.type()).append(" | ").append(def).append(" | ")
                    .append(s.description().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }
}
