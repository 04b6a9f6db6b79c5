package io.poolpair;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server from Debian's packages run in the foreground by a test, on a loopback port (sshd, smbd). */
final class LoopbackDaemon {

    private LoopbackDaemon() {
    }

    /** Starts {@code command}, its output appended to {@code log}, and waits until it accepts connections on {@code port}. */
    static Process start(String name, List<String> command, Path log, int port) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return process;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException(name + " did not listen on " + port + " within 20 s: " + Files.readString(log));
    }

    /** Stops the server and every session it serves (a transport outage). */
    static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
