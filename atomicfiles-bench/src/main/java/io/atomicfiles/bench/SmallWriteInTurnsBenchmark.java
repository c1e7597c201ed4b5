package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The writes of {@link SmallWriteBenchmark}, taken in turns inside one benchmark: each
 * operation does one bare write, one lean library write and one default library write, in an
 * order that rotates, and times each separately. On a machine whose disk latency drifts (a
 * shared virtual disk, other processes' fsyncs), three benchmarks run one after the other see
 * different disks; writes taken in turns see the same one, so their ratio is the fairer one.
 *
 * <p>The per-write means are the counters {@code <variant>Nanos / <variant>Ops} (wall time) and
 * {@code <variant>CpuNanos / <variant>Ops} (the process's CPU time); {@link Ratios} computes
 * them, and a ratio per iteration for its error band.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// 80 s of warm-up: the library's write path is many methods called once per write, and at
// ~1 000 writes a second C2 is still compiling (and deoptimizing) them for ~20 000 writes: a
// loop of 1 KiB writes on the journaled ext4 took 878, 672, 382, 254, 228, 228 us of CPU per write
// in its rounds of 5 000 (BENCHMARKS.md, "W1 after a long enough warm-up"). With 3 x 2 s the
// measured iterations were partly the JIT's.
@Warmup(iterations = 8, time = 10)
@Measurement(iterations = 8, time = 3)
@Fork(3)
public class SmallWriteInTurnsBenchmark {
    /** Time spent in each variant and the number of its writes, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Timings {
        public long bareProtocolNanos;
        public long bareProtocolCpuNanos;
        public long bareProtocolOps;
        public long atomicFilesNoBackupNoVerifyNanos;
        public long atomicFilesNoBackupNoVerifyCpuNanos;
        public long atomicFilesNoBackupNoVerifyOps;
        public long atomicFilesDefaultsNanos;
        public long atomicFilesDefaultsCpuNanos;
        public long atomicFilesDefaultsOps;

        @Setup(Level.Iteration)
        public void reset() {
            bareProtocolNanos = bareProtocolCpuNanos = bareProtocolOps = 0;
            atomicFilesNoBackupNoVerifyNanos = atomicFilesNoBackupNoVerifyCpuNanos = atomicFilesNoBackupNoVerifyOps = 0;
            atomicFilesDefaultsNanos = atomicFilesDefaultsCpuNanos = atomicFilesDefaultsOps = 0;
        }
    }

    private Workspace workspace;
    private Path bareTarget;
    private Path leanTarget;
    private Path defaultsTarget;
    private byte[] content;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("small-turns");
        bareTarget = workspace.resolve("bare.bin");
        leanTarget = workspace.resolve("lean.bin");
        defaultsTarget = workspace.resolve("defaults.bin");
        content = new byte[SmallWriteBenchmark.SIZE];
        new Random(42).nextBytes(content);
        for (Path target : new Path[] {bareTarget, leanTarget, defaultsTarget}) {
            Files.write(target, new byte[SmallWriteBenchmark.SIZE]);
        }
    }

    @TearDown(Level.Trial)
    public void checkAndDelete() throws IOException {
        try {
            for (Path target : new Path[] {bareTarget, leanTarget, defaultsTarget}) {
                if (!Arrays.equals(Files.readAllBytes(target), content)) {
                    throw new IllegalStateException(target + " does not hold the content written");
                }
            }
        } finally {
            workspace.close();
        }
    }

    @Benchmark
    public void inTurns(Timings t) throws IOException {
        for (int i = 0; i < 3; i++) {
            Stopwatch watch = Stopwatch.start();
            switch ((round + i) % 3) {
                case 0:
                    BareProtocol.write(bareTarget, content);
                    watch.stop();
                    t.bareProtocolNanos += watch.wallNanos();
                    t.bareProtocolCpuNanos += watch.cpuNanos();
                    t.bareProtocolOps++;
                    break;
                case 1:
                    AtomicFiles.writeBytes(leanTarget, content, SmallWriteBenchmark.NO_BACKUP_NO_VERIFY);
                    watch.stop();
                    t.atomicFilesNoBackupNoVerifyNanos += watch.wallNanos();
                    t.atomicFilesNoBackupNoVerifyCpuNanos += watch.cpuNanos();
                    t.atomicFilesNoBackupNoVerifyOps++;
                    break;
                default:
                    AtomicFiles.writeBytes(defaultsTarget, content, SmallWriteBenchmark.DEFAULTS);
                    watch.stop();
                    t.atomicFilesDefaultsNanos += watch.wallNanos();
                    t.atomicFilesDefaultsCpuNanos += watch.cpuNanos();
                    t.atomicFilesDefaultsOps++;
                    break;
            }
        }
        round++;
    }
}
