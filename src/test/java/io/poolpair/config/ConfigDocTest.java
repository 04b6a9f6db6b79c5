package io.poolpair.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md shows the table of keys as {@link Settings} declares it. */
class ConfigDocTest {

    @Test
    void committedConfigurationPageMatchesTheTableOfKeys() throws Exception {
        Path page = PoolConfig.locateHome().resolve("docs/configuration.md");
        String committed = Files.readString(page, StandardCharsets.UTF_8);
        assertEquals(ConfigDoc.render(committed), committed, page + " and the table of keys (io.poolpair.config.Settings)"
                + " differ: regenerate the page's table with: " + ConfigDoc.COMMAND);
    }
}
