package io.atomicfiles.bench;

import java.lang.management.ManagementFactory;

/**
 * Wall time and CPU time of one timed write. CPU time is the whole process's (every thread,
 * the library's background threads included, plus the kernel work done on their behalf): what
 * the write costs the machine, whatever else is running on it. The JVM reads it in clock ticks
 * (10 ms on Linux), so one write's CPU time means nothing; the mean over thousands of writes,
 * each catching the ticks that fall while it runs, is what {@link Ratios} reports.
 */
final class Stopwatch {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final long wallStart = System.nanoTime();
    private final long cpuStart = OS.getProcessCpuTime();
    private long wall;
    private long cpu;

    static Stopwatch start() {
        return new Stopwatch();
    }

    /** Stops the watch; {@link #wallNanos()} and {@link #cpuNanos()} then tell. */
    Stopwatch stop() {
        wall = System.nanoTime() - wallStart;
        cpu = OS.getProcessCpuTime() - cpuStart;
        return this;
    }

    long wallNanos() {
        return wall;
    }

    long cpuNanos() {
        return cpu;
    }
}
