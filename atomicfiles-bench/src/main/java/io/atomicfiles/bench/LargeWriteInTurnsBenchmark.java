package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The writes of {@link LargeWriteBenchmark}, taken in turns: each operation writes the content
 * once bare and once through the library, and hashes it once with SHA-256 in memory, in
 * rotating order, timing each alone (the deletion of each file afterwards is not timed). One
 * operation per iteration (an iteration of 1 ms ends after its first operation), so each
 * iteration yields one triple measured on the same machine within seconds of each other.
 *
 * <p>Issue 11 (W2) sets the library's target against the slower of the bare write + fsync and
 * the one SHA-256 pass (on a 2-core machine SHA-256 is as slow as the disk, so that is the
 * physical limit): {@code slowerOfBareAndSha256} is, per operation, the longer of the two.
 * Run with {@code -jvmArgsAppend -Xmx64m} to check the library streams 1 GiB in that heap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(2)
public class LargeWriteInTurnsBenchmark {
    /** Time spent in each variant and the number of its writes, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Timings {
        public long bareProtocolNanos;
        public long bareProtocolCpuNanos;
        public long bareProtocolOps;
        public long atomicFilesDefaultsNanos;
        public long atomicFilesDefaultsCpuNanos;
        public long atomicFilesDefaultsOps;
        public long sha256InMemoryNanos;
        public long sha256InMemoryCpuNanos;
        public long sha256InMemoryOps;
        public long slowerOfBareAndSha256Nanos;
        public long slowerOfBareAndSha256Ops;

        @Setup(Level.Iteration)
        public void reset() {
            bareProtocolNanos = bareProtocolCpuNanos = bareProtocolOps = 0;
            atomicFilesDefaultsNanos = atomicFilesDefaultsCpuNanos = atomicFilesDefaultsOps = 0;
            sha256InMemoryNanos = sha256InMemoryCpuNanos = sha256InMemoryOps = 0;
            slowerOfBareAndSha256Nanos = slowerOfBareAndSha256Ops = 0;
        }
    }

    @Param("1073741824")
    public long bytes;

    private Workspace workspace;
    private Path target;
    private byte[] chunk;
    private String expectedSha256;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("large-turns");
        target = workspace.resolve("big.bin");
        chunk = new byte[LargeWriteBenchmark.CHUNK];
        new Random(42).nextBytes(chunk);
        expectedSha256 = LargeWriteBenchmark.sha256Of(chunk, bytes);
    }

    @TearDown(Level.Trial)
    public void deleteWorkspace() throws IOException {
        workspace.close();
    }

    @Benchmark
    public void inTurns(Timings t) throws IOException {
        long bareNanos = 0;
        long shaNanos = 0;
        for (int i = 0; i < 3; i++) {
            Stopwatch watch = Stopwatch.start();
            int variant = (round + i) % 3;
            if (variant == 2) {
                String sha = LargeWriteBenchmark.sha256Of(chunk, bytes);
                watch.stop();
                shaNanos = watch.wallNanos();
                t.sha256InMemoryNanos += watch.wallNanos();
                t.sha256InMemoryCpuNanos += watch.cpuNanos();
                t.sha256InMemoryOps++;
                if (!sha.equals(expectedSha256)) {
                    throw new IllegalStateException("SHA-256 in memory " + sha + ", not " + expectedSha256);
                }
                continue;
            }
            if (variant == 0) {
                BareProtocol.write(target, chunk, bytes);
                watch.stop();
                bareNanos = watch.wallNanos();
                t.bareProtocolNanos += watch.wallNanos();
                t.bareProtocolCpuNanos += watch.cpuNanos();
                t.bareProtocolOps++;
            } else {
                WriteResult result = AtomicFiles.write(target, LargeWriteBenchmark.DEFAULTS, writer -> {
                    OutputStream out = writer.outputStream();
                    for (long left = bytes; left > 0; ) {
                        int n = (int) Math.min(chunk.length, left);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                });
                watch.stop();
                t.atomicFilesDefaultsNanos += watch.wallNanos();
                t.atomicFilesDefaultsCpuNanos += watch.cpuNanos();
                t.atomicFilesDefaultsOps++;
                if (!result.sha256().equals(expectedSha256)) {
                    throw new IllegalStateException("the library reports SHA-256 " + result.sha256() + ", not "
                            + expectedSha256);
                }
            }
            // Untimed: check and remove the file, so the next write starts from the same disk state.
            if (Files.size(target) != bytes) {
                throw new IllegalStateException(target + " has " + Files.size(target) + " bytes, not " + bytes);
            }
            Files.delete(target);
        }
        t.slowerOfBareAndSha256Nanos += Math.max(bareNanos, shaNanos);
        t.slowerOfBareAndSha256Ops++;
        round++;
    }
}
