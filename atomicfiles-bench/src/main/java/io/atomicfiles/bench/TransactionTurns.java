package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * {@link TransactionInTurnsBenchmark}'s two variants without JMH, for tracing (issue 11, W3): one
 * transaction of 100 × 1 KiB and one round of 100 sequential durable writes, in turns, in a
 * fresh {@link Workspace}; or only one of the two. Before the first measured round it prints
 * {@code MARK-START} on standard error, and {@code MARK-END} after the last, so that
 * {@code strace -f -o trace} of a run can be cut there and the measured rounds' system calls
 * counted alone:
 *
 * <pre>
 * strace -f -qq -o tx.trace java -Dbench.dir=/mnt/jext4 -cp atomicfiles-bench/target/benchmarks.jar \
 *     io.atomicfiles.bench.TransactionTurns tx 5 3
 * </pre>
 *
 * <p>Arguments: {@code both|tx|writes}, measured rounds, warm-up rounds. Prints the median wall
 * time and process CPU time of each variant and the ratio of the medians.
 */
public final class TransactionTurns {
    private static final int FILES = 100;

    private TransactionTurns() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "both";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        boolean transactions = !mode.equals("writes");
        boolean writes = !mode.equals("tx");
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Workspace workspace = Workspace.create("transaction-turns")) {
            Path[] sequential = files(Files.createDirectories(workspace.resolve("sequential")));
            Path[] transactional = files(Files.createDirectories(workspace.resolve("transaction")));
            TransactionOptions txOptions = TransactionOptions.builder().showProgress(false)
                    .journalDir(Files.createDirectories(workspace.resolve("journal"))).build();
            WriteOptions writeOptions = WriteOptions.defaults().toBuilder().showProgress(false).build();
            byte[] content = new byte[1024];
            new Random(42).nextBytes(content);
            long[] txWall = new long[rounds];
            long[] txCpu = new long[rounds];
            long[] writesWall = new long[rounds];
            long[] writesCpu = new long[rounds];
            for (int round = -warmUp; round < rounds; round++) {
                if (round == 0) {
                    System.err.println("MARK-START");
                }
                content[0] = (byte) round;
                for (int turn = 0; turn < 2; turn++) {
                    boolean tx = ((round + turn) & 1) == 0;
                    if (tx ? !transactions : !writes) {
                        continue;
                    }
                    long wall = System.nanoTime();
                    long cpu = os.getProcessCpuTime();
                    if (tx) {
                        try (FileTransaction transaction = new FileTransaction(txOptions)) {
                            for (Path target : transactional) {
                                transaction.addWrite(target, content, ContentType.BYTES);
                            }
                            transaction.commit();
                        }
                    } else {
                        for (Path target : sequential) {
                            AtomicFiles.writeBytes(target, content, writeOptions);
                        }
                    }
                    if (round >= 0) {
                        (tx ? txWall : writesWall)[round] = System.nanoTime() - wall;
                        (tx ? txCpu : writesCpu)[round] = os.getProcessCpuTime() - cpu;
                    }
                }
            }
            System.err.println("MARK-END");
            if (transactions) {
                System.out.printf(Locale.ROOT, "transaction: median %.2f ms, CPU %.2f ms%n", median(txWall) / 1e6,
                        median(txCpu) / 1e6);
            }
            if (writes) {
                System.out.printf(Locale.ROOT, "100 writes:  median %.2f ms, CPU %.2f ms%n", median(writesWall) / 1e6,
                        median(writesCpu) / 1e6);
            }
            if (transactions && writes) {
                System.out.printf(Locale.ROOT, "ratio of the medians: %.3f%n", median(txWall) / median(writesWall));
            }
        }
    }

    private static Path[] files(Path folder) throws IOException {
        Path[] files = new Path[FILES];
        for (int i = 0; i < FILES; i++) {
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
