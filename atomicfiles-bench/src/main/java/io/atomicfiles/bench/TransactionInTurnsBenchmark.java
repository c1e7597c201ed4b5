package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Issue 3's target: committing 100 files of 1 KiB in one {@link FileTransaction} (full
 * durability) against writing the same 100 files one after the other with
 * {@link AtomicFiles#writeBytes} (full durability). Both with the library's defaults (backups
 * and verification on), progress off, rewriting existing files.
 *
 * <p>Issue 11's W3 measures the transaction against 100 sequential writes of the bare protocol
 * ({@link BareProtocol}: temp file, write, fsync, rename, fsync of the folder; no lock, no backup,
 * no verification), so a third variant writes another 100 files that way, in a folder of its own.
 * A fourth, {@code stagedBareWrites}, is the floor of any all-or-nothing commit written by hand
 * ({@link BareProtocol#writeStaged}: all 100 new files durable before the first rename, no
 * journal), in a folder of its own: what the staging order alone costs against sequential writes.
 *
 * <p>Taken in turns inside one benchmark, like {@link SmallWriteInTurnsBenchmark}, so all three
 * see the same disk: each operation does one transaction, one round of 100 sequential library
 * writes, one of 100 bare writes and one staged commit, the one that goes first changing from
 * round to round, and times each. {@link Ratios} turns the counters
 * {@code <variant>Nanos / <variant>Ops} into the mean time of 100 files each way.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// 80 s of warm-up, for the sequential writes' sake: see SmallWriteInTurnsBenchmark (the write path
// settles after ~20 000 writes, 200 rounds here).
@Warmup(iterations = 8, time = 10)
@Measurement(iterations = 6, time = 4)
@Fork(2)
public class TransactionInTurnsBenchmark {
    static final int FILES = 100;
    static final int SIZE = 1024;
    private static final WriteOptions WRITE = WriteOptions.defaults().toBuilder().showProgress(false).build();

    /** Time spent each way and the number of rounds of 100 files, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Timings {
        public long sequentialWritesNanos;
        public long sequentialWritesCpuNanos;
        public long sequentialWritesOps;
        public long transactionNanos;
        public long transactionCpuNanos;
        public long transactionOps;
        public long sequentialBareWritesNanos;
        public long sequentialBareWritesCpuNanos;
        public long sequentialBareWritesOps;
        public long stagedBareWritesNanos;
        public long stagedBareWritesCpuNanos;
        public long stagedBareWritesOps;

        @Setup(Level.Iteration)
        public void reset() {
            sequentialWritesNanos = sequentialWritesCpuNanos = sequentialWritesOps = 0;
            transactionNanos = transactionCpuNanos = transactionOps = 0;
            sequentialBareWritesNanos = sequentialBareWritesCpuNanos = sequentialBareWritesOps = 0;
            stagedBareWritesNanos = stagedBareWritesCpuNanos = stagedBareWritesOps = 0;
        }
    }

    private Workspace workspace;
    private Path[] sequentialTargets;
    private Path[] transactionTargets;
    private Path[] bareTargets;
    private Path[] stagedTargets;
    private ExecutorService forcers;
    private TransactionOptions transactionOptions;
    private byte[][] contents;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("transaction-turns");
        Path sequential = Files.createDirectories(workspace.resolve("sequential"));
        Path transactional = Files.createDirectories(workspace.resolve("transaction"));
        Path bare = Files.createDirectories(workspace.resolve("bare"));
        Path staged = Files.createDirectories(workspace.resolve("staged"));
        forcers = Executors.newFixedThreadPool(FILES);
        transactionOptions = TransactionOptions.builder().showProgress(false)
                .journalDir(Files.createDirectories(workspace.resolve("journal"))).build();
        sequentialTargets = new Path[FILES];
        transactionTargets = new Path[FILES];
        bareTargets = new Path[FILES];
        stagedTargets = new Path[FILES];
        contents = new byte[2][SIZE];
        new Random(42).nextBytes(contents[0]);
        new Random(43).nextBytes(contents[1]);
        for (int i = 0; i < FILES; i++) {
            sequentialTargets[i] = sequential.resolve("file-" + i + ".bin");
            transactionTargets[i] = transactional.resolve("file-" + i + ".bin");
            Files.write(sequentialTargets[i], new byte[SIZE]);
            Files.write(transactionTargets[i], new byte[SIZE]);
            bareTargets[i] = bare.resolve("file-" + i + ".bin");
            Files.write(bareTargets[i], new byte[SIZE]);
            stagedTargets[i] = staged.resolve("file-" + i + ".bin");
            Files.write(stagedTargets[i], new byte[SIZE]);
        }
    }

    @TearDown(Level.Trial)
    public void checkAndDelete() throws IOException {
        try {
            byte[] last = contents[(round - 1) & 1];
            for (int i = 0; i < FILES; i++) {
                if (!Arrays.equals(Files.readAllBytes(sequentialTargets[i]), last)
                        || !Arrays.equals(Files.readAllBytes(transactionTargets[i]), last)
                        || !Arrays.equals(Files.readAllBytes(bareTargets[i]), last)
                        || !Arrays.equals(Files.readAllBytes(stagedTargets[i]), last)) {
                    throw new IllegalStateException("file " + i + " does not hold the content last written");
                }
            }
        } finally {
            forcers.shutdownNow();
            workspace.close();
        }
    }

    @Benchmark
    public void inTurns(Timings t) throws IOException {
        byte[] content = contents[round & 1];
        for (int i = 0; i < 4; i++) {
            Stopwatch watch = Stopwatch.start();
            int variant = (round + i) % 4;
            if (variant == 3) {
                BareProtocol.writeStaged(stagedTargets, content, forcers);
                watch.stop();
                t.stagedBareWritesNanos += watch.wallNanos();
                t.stagedBareWritesCpuNanos += watch.cpuNanos();
                t.stagedBareWritesOps++;
            } else if (variant == 2) {
                for (Path target : bareTargets) {
                    BareProtocol.write(target, content);
                }
                watch.stop();
                t.sequentialBareWritesNanos += watch.wallNanos();
                t.sequentialBareWritesCpuNanos += watch.cpuNanos();
                t.sequentialBareWritesOps++;
            } else if (variant == 0) {
                for (Path target : sequentialTargets) {
                    AtomicFiles.writeBytes(target, content, WRITE);
                }
                watch.stop();
                t.sequentialWritesNanos += watch.wallNanos();
                t.sequentialWritesCpuNanos += watch.cpuNanos();
                t.sequentialWritesOps++;
            } else {
                try (FileTransaction tx = new FileTransaction(transactionOptions)) {
                    for (Path target : transactionTargets) {
                        tx.addWrite(target, content, ContentType.BYTES);
                    }
                    tx.commit();
                }
                watch.stop();
                t.transactionNanos += watch.wallNanos();
                t.transactionCpuNanos += watch.cpuNanos();
                t.transactionOps++;
            }
        }
        round++;
    }
}
