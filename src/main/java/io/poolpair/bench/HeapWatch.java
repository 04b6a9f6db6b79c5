package io.poolpair.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a poolpair command in a child JVM of the bench and records, into a file when the JVM exits (normally or
 * on SIGTERM), the peak of its used heap sampled every 10 ms (garbage included: it rises towards -Xmx before
 * each collection) and the peak of what the heap held right after a collection (the live data):
 * {@code java -Xmx256m -cp ... io.poolpair.bench.HeapWatch <peak-file> io.poolpair.cli.PoolPairCommand run --config
 * poolB.properties}. The command's main class is an argument, not an import: the bench sits under the command line.
 */
public final class HeapWatch {

    private HeapWatch() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: HeapWatch <peak-file> <main-class> [arguments of the main class...]");
        }
        Path peakFile = Path.of(args[0]);
        // looked up before the sampler starts: a wrong class name fails here, with nothing measured
        var commandMain = MethodHandles.publicLookup().findStatic(Class.forName(args[1]), "main",
                MethodType.methodType(void.class, String[].class));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        AtomicLong live = new AtomicLong();
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null).toList();
        Thread sampler = new Thread(() -> {
            while (true) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                live.accumulateAndGet(pools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        sampler.setDaemon(true);
        sampler.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            try {
                Files.writeString(peakFile, String.format(Locale.ROOT, "%.1f %.1f %d%n", peak.get() / 1048576.0,
                        live.get() / 1048576.0, memory.getHeapMemoryUsage().getMax() / 1048576));
            } catch (Exception ignored) {
                // the bench reports the figure as missing
            }
        }));
        // the command's main ends the JVM with its exit code (the shutdown hook above writes the figures)
        commandMain.invoke((Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
