package io.atomicfiles.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The loop the JMH-free drivers ({@link TransactionTurns}, {@link BatchTurns}) share: two variants
 * of a workload timed in turns in one JVM (A then B in even rounds, B then A in odd ones, so that
 * neither always runs first), after untimed warm-up rounds, each round's wall and process CPU
 * time kept. {@code MARK-START} and {@code MARK-END} go to standard error around the measured
 * rounds, so that an {@code strace -f -o trace} of a run can be cut there.
 */
final class Turns {
    /** One variant's work for one round (the round number lets it vary the content). */
    interface Work {
        void run(int round) throws IOException;
    }

    /** A variant's measured rounds. */
    record Times(long[] wallNanos, long[] cpuNanos) {
        double medianWallNanos() {
            return median(wallNanos);
        }

        double medianCpuNanos() {
            return median(cpuNanos);
        }
    }

    /** Called after each measured round with both variants' times so far (a variant not run has zeros). */
    interface AfterRound {
        void done(int round, Times first, Times second);
    }

    private Turns() {
    }

    /**
     * Runs {@code warmUp} untimed rounds, then {@code rounds} timed ones, of {@code first} and
     * {@code second} in turns; a null variant is left out.
     *
     * @return the times of {@code first} and of {@code second}, in that order
     */
    static Times[] run(int rounds, int warmUp, Work first, Work second, AfterRound afterRound) throws IOException {
        Times[] times = {new Times(new long[rounds], new long[rounds]), new Times(new long[rounds], new long[rounds])};
        Work[] variants = {first, second};
        for (int round = -warmUp; round < rounds; round++) {
            if (round == 0) {
                System.err.println("MARK-START");
            }
            for (int turn = 0; turn < 2; turn++) {
                int variant = (round + turn) & 1;
                if (variants[variant] == null) {
                    continue;
                }
                Stopwatch watch = Stopwatch.start();
                variants[variant].run(round);
                watch.stop();
                if (round >= 0) {
                    times[variant].wallNanos()[round] = watch.wallNanos();
                    times[variant].cpuNanos()[round] = watch.cpuNanos();
                }
            }
            if (round >= 0 && afterRound != null) {
                afterRound.done(round, times[0], times[1]);
            }
        }
        System.err.println("MARK-END");
        return times;
    }

    /** {@code count} files of 1 KiB in {@code folder}, made now, for the variants to rewrite. */
    static Path[] files(Path folder, int count) throws IOException {
        Path[] files = new Path[count];
        for (int i = 0; i < count; i++) {
            files[i] = folder.resolve("file-" + i + ".bin");
            Files.write(files[i], new byte[1024]);
        }
        return files;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }
}
