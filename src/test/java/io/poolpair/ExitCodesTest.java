package io.poolpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each exit code means one thing: 2 for what the operator must fix in the command or file, 3 for what is unreachable. */
class ExitCodesTest {

    @TempDir
    Path dir;

    private Path poolFile(String datasourceUrl, String extra) throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Path file = dir.resolve("poolA.properties");
        Files.writeString(file, String.join("\n",
                "poolpair.pool = poolA", "poolpair.peer = poolB",
                "poolpair.share.local = " + dir.resolve("a"), "poolpair.share.peer = " + dir.resolve("b"),
                "poolpair.key = 3f9c1a7e5b2d8c4f6a0e9b1d7c3a5f2e8b4d6c0a9e7f1b3d5c8a2e4f6b0d9c7a",
                "poolpair.datasource.url = " + datasourceUrl, "poolpair.datasource.username = nobody",
                "poolpair.datasource.password = not-empty", extra, ""));
        return file;
    }

    @Test
    void databaseThatDoesNotAnswerExitsThreeNamingTheUrl() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nothing";
        TwoPools.CommandResult status = TwoPools.cli("status", "--config", poolFile(url, "").toString());
        assertEquals(3, status.exit(), status.err());
        assertTrue(status.err().contains(url), status.err());
        assertFalse(status.err().contains("\tat "), "no stack trace: " + status.err());
    }

    @Test
    void settingOutOfRangeExitsTwoNamingTheSetting() throws Exception {
        TwoPools.CommandResult status = TwoPools.cli("status", "--config",
                poolFile("jdbc:postgresql://127.0.0.1:1/x", "poolpair.sync-interval = PT1S").toString());
        assertEquals(2, status.exit(), status.err());
        assertTrue(status.err().contains("poolpair.sync-interval"), status.err());
    }

    @Test
    void everyCommandsHelpEndsWithExamplesAndTheExitCodes() {
        picocli.CommandLine root = io.poolpair.cli.PoolPairCommand.commandLine();
        for (var sub : root.getSubcommands().entrySet()) {
            String help = sub.getValue().getUsageMessage();
            assertTrue(help.contains("Examples:") && help.contains("poolpair " + sub.getKey()), sub.getKey() + ":\n" + help);
            assertTrue(help.strip().endsWith("4 internal error."), sub.getKey() + ":\n" + help);
        }
    }

    @Test
    void unknownOptionExitsTwo() {
        TwoPools.CommandResult status = TwoPools.cli("status", "--no-such-option");
        assertEquals(2, status.exit(), status.err());
    }
}
