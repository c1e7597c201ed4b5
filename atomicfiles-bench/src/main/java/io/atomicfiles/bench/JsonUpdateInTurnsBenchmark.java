package io.atomicfiles.bench;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Issue 11 (W4): {@code updates} increments of a counter in one JSON file through
 * {@link AtomicFileOperations#atomicJsonUpdate}, made by one thread, against the same number made
 * by 8 threads at once (combined into shared writes), with the library's defaults (backup,
 * verification, full durability), progress off, taken in turns. Each way is checked to have
 * counted exactly. One operation per iteration: each iteration yields one pair. The trial
 * starts with {@value #WARM_UP_PAIRS} untimed pairs, so that the measured pairs run compiled
 * code (see {@link BatchInTurnsBenchmark}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class JsonUpdateInTurnsBenchmark {
    static final int THREADS = 8;
    /** Untimed pairs before the first iteration. */
    static final int WARM_UP_PAIRS = 3;

    /** Time spent each way and the number of rounds, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Timings {
        public long oneThreadNanos;
        public long oneThreadCpuNanos;
        public long oneThreadOps;
        public long eightThreadsNanos;
        public long eightThreadsCpuNanos;
        public long eightThreadsOps;

        @Setup(Level.Iteration)
        public void reset() {
            oneThreadNanos = oneThreadCpuNanos = oneThreadOps = 0;
            eightThreadsNanos = eightThreadsCpuNanos = eightThreadsOps = 0;
        }
    }

    @Param("160")
    public int updates;

    private Workspace workspace;
    private Path single;
    private Path shared;
    private AtomicFileOperations ops;
    private ExecutorService pool;
    private long singleCount;
    private long sharedCount;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        workspace = Workspace.create("json-update-turns");
        single = workspace.resolve("single.json");
        shared = workspace.resolve("shared.json");
        ops = new AtomicFileOperations(AuditTrail.inMemory(),
                WriteOptions.defaults().toBuilder().showProgress(false).build());
        pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int pair = 0; pair < WARM_UP_PAIRS; pair++) {
                inTurns(new Timings());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        pool.shutdownNow();
        workspace.close();
    }

    @Benchmark
    public void inTurns(Timings t) throws Exception {
        for (int i = 0; i < 2; i++) {
            Stopwatch watch = Stopwatch.start();
            if ((round + i) % 2 == 0) {
                for (int n = 0; n < updates; n++) {
                    increment(single);
                }
                watch.stop();
                singleCount += updates;
                check(single, singleCount);
                t.oneThreadNanos += watch.wallNanos();
                t.oneThreadCpuNanos += watch.cpuNanos();
                t.oneThreadOps++;
            } else {
                List<Future<Void>> done = new ArrayList<>();
                for (int thread = 0; thread < THREADS; thread++) {
                    done.add(pool.submit(() -> {
                        for (int n = 0; n < updates / THREADS; n++) {
                            increment(shared);
                        }
                        return null;
                    }));
                }
                for (Future<Void> f : done) {
                    f.get();
                }
                watch.stop();
                sharedCount += (long) (updates / THREADS) * THREADS;
                check(shared, sharedCount);
                t.eightThreadsNanos += watch.wallNanos();
                t.eightThreadsCpuNanos += watch.cpuNanos();
                t.eightThreadsOps++;
            }
        }
        round++;
    }

    private void increment(Path file) throws IOException {
        ops.atomicJsonUpdate(file, data -> {
            data.merge("counter", 1L, (a, b) -> ((Number) a).longValue() + 1);
            return data;
        });
    }

    private static void check(Path file, long expected) throws IOException {
        Map<String, Object> data = Codecs.readMap(file, DataFormat.JSON);
        if (((Number) data.get("counter")).longValue() != expected) {
            throw new IllegalStateException(file + " counts " + data.get("counter") + ", not " + expected);
        }
    }
}
