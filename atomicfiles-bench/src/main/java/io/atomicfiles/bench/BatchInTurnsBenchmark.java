package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteOptions;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 11's group commit: {@code files} files of 1 KiB written in one {@link WriteBatch}
 * against the same files written one after the other with {@link AtomicFiles#writeBytes}, both
 * with the library's defaults (backups and verification on, full durability), progress off,
 * rewriting existing files, taken in turns (see {@link TransactionInTurnsBenchmark}). One
 * operation per iteration (an iteration of 1 ms ends after its first operation): each
 * iteration yields one pair.
 *
 * <p>The trial starts with {@value #WARM_UP_PAIRS} untimed pairs. With one pair per iteration,
 * JMH's warm-up iterations ({@code -wi 1}: one pair) leave the measured pairs running while the
 * JIT compiles the write path: in a profile of such a run the C2 compiler threads took 19-36%
 * of the process's CPU samples, and a batch took 0.6-0.8 ms of CPU per file where a warm one
 * takes 0.3 ms. That hurt the batch (CPU-bound on 2 cores) far more than the sequential writes
 * (waiting on 1000 fsyncs one after the other), so the ratio measured the JIT, not the batch.
 * Twenty pairs (20 000 sequential writes): the single write's path settles only after ~20 000
 * writes (see {@link SmallWriteInTurnsBenchmark}); with five, the sequential side was still being
 * compiled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class BatchInTurnsBenchmark {
    static final int SIZE = 1024;
    /** Untimed pairs before the first iteration, so that the measured ones run compiled code. */
    static final int WARM_UP_PAIRS = 20;
    private static final WriteOptions WRITE = WriteOptions.defaults().toBuilder().showProgress(false).build();

    /** Time spent each way and the number of rounds, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Timings {
        public long sequentialWritesNanos;
        public long sequentialWritesCpuNanos;
        public long sequentialWritesOps;
        public long batchNanos;
        public long batchCpuNanos;
        public long batchOps;

        @Setup(Level.Iteration)
        public void reset() {
            sequentialWritesNanos = sequentialWritesCpuNanos = sequentialWritesOps = 0;
            batchNanos = batchCpuNanos = batchOps = 0;
        }
    }

    @Param("1000")
    public int files;

    private Workspace workspace;
    private Path[] sequentialTargets;
    private Path[] batchTargets;
    private byte[][] contents;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("batch-turns");
        Path sequential = Files.createDirectories(workspace.resolve("sequential"));
        Path batched = Files.createDirectories(workspace.resolve("batch"));
        sequentialTargets = new Path[files];
        batchTargets = new Path[files];
        contents = new byte[2][SIZE];
        new Random(42).nextBytes(contents[0]);
        new Random(43).nextBytes(contents[1]);
        for (int i = 0; i < files; i++) {
            sequentialTargets[i] = sequential.resolve("file-" + i + ".bin");
            batchTargets[i] = batched.resolve("file-" + i + ".bin");
            Files.write(sequentialTargets[i], new byte[SIZE]);
            Files.write(batchTargets[i], new byte[SIZE]);
        }
        for (int pair = 0; pair < WARM_UP_PAIRS; pair++) {
            inTurns(new Timings());
        }
    }

    @TearDown(Level.Trial)
    public void checkAndDelete() throws IOException {
        try {
            byte[] last = contents[(round - 1) & 1];
            for (int i = 0; i < files; i++) {
                if (!Arrays.equals(Files.readAllBytes(sequentialTargets[i]), last)
                        || !Arrays.equals(Files.readAllBytes(batchTargets[i]), last)) {
                    throw new IllegalStateException("file " + i + " does not hold the content last written");
                }
            }
        } finally {
            workspace.close();
        }
    }

    @Benchmark
    public void inTurns(Timings t) throws IOException {
        byte[] content = contents[round & 1];
        for (int i = 0; i < 2; i++) {
            Stopwatch watch = Stopwatch.start();
            if ((round + i) % 2 == 0) {
                for (Path target : sequentialTargets) {
                    AtomicFiles.writeBytes(target, content, WRITE);
                }
                watch.stop();
                t.sequentialWritesNanos += watch.wallNanos();
                t.sequentialWritesCpuNanos += watch.cpuNanos();
                t.sequentialWritesOps++;
            } else {
                try (WriteBatch batch = AtomicFiles.batch(WRITE)) {
                    for (Path target : batchTargets) {
                        batch.addWrite(target, content, ContentType.BYTES);
                    }
                    batch.commit();
                }
                watch.stop();
                t.batchNanos += watch.wallNanos();
                t.batchCpuNanos += watch.cpuNanos();
                t.batchOps++;
            }
        }
        round++;
    }
}
