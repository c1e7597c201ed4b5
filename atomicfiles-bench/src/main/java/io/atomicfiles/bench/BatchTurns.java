package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * {@link BatchInTurnsBenchmark}'s two variants without JMH, for tracing and profiling (issue 11,
 * group commit): one {@link WriteBatch} of N × 1 KiB and N sequential durable
 * {@link AtomicFiles#writeBytes}, rewriting existing files, defaults with progress off, in turns
 * in a fresh {@link Workspace}; or only one of the two. {@code MARK-START} and {@code MARK-END} go
 * to standard error around the measured rounds, so that an {@code strace -f -o trace} of a run can
 * be cut there:
 *
 * <pre>
 * strace -f -qq -o batch.trace java -Dbench.dir=/mnt/jext4/batch2 -cp atomicfiles-bench/target/benchmarks.jar \
 *     io.atomicfiles.bench.BatchTurns batch 3 20 1000
 * </pre>
 *
 * <p>Arguments: {@code both|batch|writes}, measured rounds, warm-up rounds, files. Prints each
 * measured round, then the median wall time and process CPU time of each variant and the median
 * of the rounds' ratios.
 */
public final class BatchTurns {
    private BatchTurns() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int files = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        boolean batches = !mode.equals("writes");
        boolean writes = !mode.equals("batch");
        WriteOptions options = WriteOptions.defaults().toBuilder().showProgress(false).build();
        try (Workspace workspace = Workspace.create("batch-turns")) {
            Path[] sequential = Turns.files(Files.createDirectories(workspace.resolve("sequential")), files);
            Path[] batched = Turns.files(Files.createDirectories(workspace.resolve("batch")), files);
            byte[] content = new byte[1024];
            new Random(42).nextBytes(content);
            Turns.Work batch = round -> {
                content[0] = (byte) round;
                try (WriteBatch writeBatch = AtomicFiles.batch(options)) {
                    for (Path target : batched) {
                        writeBatch.addWrite(target, content, ContentType.BYTES);
                    }
                    writeBatch.commit();
                }
            };
            Turns.Work sequentialWrites = round -> {
                content[0] = (byte) round;
                for (Path target : sequential) {
                    AtomicFiles.writeBytes(target, content, options);
                }
            };
            Turns.Times[] times = Turns.run(rounds, warmUp, batches ? batch : null, writes ? sequentialWrites : null,
                    (round, batchTimes, writesTimes) -> System.out.printf(Locale.ROOT,
                            "round %d: batch %.1f ms (CPU %.1f), writes %.1f ms (CPU %.1f)%s%n", round,
                            batchTimes.wallNanos()[round] / 1e6, batchTimes.cpuNanos()[round] / 1e6,
                            writesTimes.wallNanos()[round] / 1e6, writesTimes.cpuNanos()[round] / 1e6,
                            batches && writes ? String.format(Locale.ROOT, ", ratio %.3f",
                                    (double) batchTimes.wallNanos()[round] / writesTimes.wallNanos()[round]) : ""));
            for (Path target : batches ? batched : sequential) {
                if (!Arrays.equals(Files.readAllBytes(target), content)) {
                    throw new IllegalStateException(target + " does not hold the content last written");
                }
            }
            if (batches) {
                System.out.printf(Locale.ROOT, "batch of %d: median %.1f ms, CPU %.1f ms (%.0f us per file)%n", files,
                        times[0].medianWallNanos() / 1e6, times[0].medianCpuNanos() / 1e6,
                        times[0].medianCpuNanos() / 1e3 / files);
            }
            if (writes) {
                System.out.printf(Locale.ROOT, "%d writes:  median %.1f ms, CPU %.1f ms (%.0f us per file)%n", files,
                        times[1].medianWallNanos() / 1e6, times[1].medianCpuNanos() / 1e6,
                        times[1].medianCpuNanos() / 1e3 / files);
            }
            if (batches && writes) {
                double[] ratios = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    ratios[i] = (double) times[0].wallNanos()[i] / times[1].wallNanos()[i];
                }
                Arrays.sort(ratios);
                System.out.printf(Locale.ROOT, "median of the round ratios: %.3f (min %.3f, max %.3f)%n",
                        ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
            }
        }
    }
}
