package io.atomicfiles.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Two builds of the library and the bare protocol, in turns per write, in one JVM: the 1 KiB
 * durable write with backup and verification off of {@link SmallWriteInTurnsBenchmark}, made
 * by the library of jar A (say, main), by the library of jar B (say, a branch), each loaded by
 * its own class loader, and by {@link BareProtocol}, each into its own subfolder. On a machine
 * loaded by other work, a before/after taken this way sees the same disk and the same load on
 * both sides, write by write; the thread CPU time per write is the steadier figure.
 *
 * <pre>
 * java -cp atomicfiles-bench/target/benchmarks.jar io.atomicfiles.bench.SmallWriteJarsInTurns \
 *      DIR before.jar after.jar [rounds=11] [triples per round=200]
 * </pre>
 *
 * Prints one line per round (wall and thread CPU per write of each variant, the ratios) and the
 * medians over the rounds, with the bytes each variant allocates per write on the heap. With
 * {@code -Dsmall.defaults=true} the library writes with the defaults (backup and verification
 * on) instead.
 */
public final class SmallWriteJarsInTurns {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean DEFAULTS = Boolean.getBoolean("small.defaults");
    private static final int WARM_UP = 1500;

    private SmallWriteJarsInTurns() {
    }

    private interface Write {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 11;
        int triples = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        byte[] content = new byte[SmallWriteBenchmark.SIZE];
        new Random(42).nextBytes(content);
        Write[] writes = {library(args[1], dir.resolve("a"), content), library(args[2], dir.resolve("b"), content),
            bare(dir.resolve("bare"), content)};
        for (int i = 0; i < WARM_UP; i++) {
            for (Write w : writes) {
                w.run();
            }
        }
        double[] aBare = new double[rounds];
        double[] bBare = new double[rounds];
        double[] bA = new double[rounds];
        double[][] cpu = new double[3][rounds];
        double[][] alloc = new double[3][rounds];
        long thread = Thread.currentThread().getId();
        for (int r = 0; r < rounds; r++) {
            long[] wall = new long[3];
            long[] cpuNanos = new long[3];
            long[] allocated = new long[3];
            for (int t = 0; t < triples; t++) {
                for (int k = 0; k < 3; k++) {
                    int v = (t + k) % 3;
                    long a0 = allocatedBytes(thread);
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    writes[v].run();
                    wall[v] += System.nanoTime() - t0;
                    cpuNanos[v] += THREADS.getCurrentThreadCpuTime() - c0;
                    allocated[v] += allocatedBytes(thread) - a0;
                }
            }
            aBare[r] = (double) wall[0] / wall[2];
            bBare[r] = (double) wall[1] / wall[2];
            bA[r] = (double) wall[1] / wall[0];
            for (int v = 0; v < 3; v++) {
                cpu[v][r] = cpuNanos[v] / 1000.0 / triples;
                alloc[v][r] = (double) allocated[v] / triples;
            }
            System.out.printf(Locale.ROOT, "round %d: A/bare %.3f B/bare %.3f B/A %.3f | wall µs per write A %.0f B %.0f"
                    + " bare %.0f | thread CPU µs per write A %.0f B %.0f bare %.0f%n", r, aBare[r], bBare[r], bA[r],
                    wall[0] / 1000.0 / triples, wall[1] / 1000.0 / triples, wall[2] / 1000.0 / triples,
                    cpu[0][r], cpu[1][r], cpu[2][r]);
            System.out.printf(Locale.ROOT, "round %d: bytes allocated per write A %.0f B %.0f bare %.0f%n", r,
                    alloc[0][r], alloc[1][r], alloc[2][r]);
        }
        System.out.printf(Locale.ROOT, "median: A/bare %.3f B/bare %.3f B/A %.3f | thread CPU µs per write A %.0f"
                + " B %.0f bare %.0f%n", median(aBare), median(bBare), median(bA), median(cpu[0]), median(cpu[1]),
                median(cpu[2]));
        System.out.printf(Locale.ROOT, "median: bytes allocated per write A %.0f B %.0f bare %.0f (%s)%n",
                median(alloc[0]), median(alloc[1]), median(alloc[2]), DEFAULTS ? "defaults" : "backup and verification off");
    }

    /** The heap bytes {@code thread} has allocated so far (HotSpot), or 0 where the JVM does not tell. */
    private static long allocatedBytes(long thread) {
        return THREADS instanceof com.sun.management.ThreadMXBean
                ? ((com.sun.management.ThreadMXBean) THREADS).getThreadAllocatedBytes(thread) : 0;
    }

    /** The library of {@code jar}, through its own class loader: {@code AtomicFiles.writeBytes} with backup and verification off. */
    private static Write library(String jar, Path folder, byte[] content) throws Exception {
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> atomicFiles = loader.loadClass("io.atomicfiles.AtomicFiles");
        Class<?> writeOptions = loader.loadClass("io.atomicfiles.WriteOptions");
        Object builder = writeOptions.getMethod("builder").invoke(null);
        Class<?> builderClass = builder.getClass();
        builderClass.getMethod("backup", boolean.class).invoke(builder, DEFAULTS);
        builderClass.getMethod("verifyIntegrity", boolean.class).invoke(builder, DEFAULTS);
        builderClass.getMethod("showProgress", boolean.class).invoke(builder, false);
        Object options = builderClass.getMethod("build").invoke(builder);
        Method writeBytes = atomicFiles.getMethod("writeBytes", Path.class, byte[].class, writeOptions);
        Path target = Files.createDirectories(folder).resolve("lib.bin");
        Files.write(target, content);
        return () -> writeBytes.invoke(null, target, content, options);
    }

    private static Write bare(Path folder, byte[] content) throws Exception {
        Path target = Files.createDirectories(folder).resolve("bare.bin");
        Files.write(target, content);
        return () -> BareProtocol.write(target, content);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
