package io.atomicfiles.bench;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
 * <p>Arguments: {@code both|tx|writes|bare|bare-same|staged}, measured rounds, warm-up rounds. The
 * second variant is 100 sequential durable {@link AtomicFiles#writeBytes} with the defaults
 * ({@code both}, {@code writes}), or 100 sequential writes of the bare protocol
 * ({@link BareProtocol}: the baseline for W3) in a folder of their own ({@code bare}) or
 * rewriting the transaction's own 100 files, in the same folder ({@code bare-same}: both then
 * meet the same state of the folder's inode group). {@code staged} puts the floor of any
 * all-or-nothing commit ({@link BareProtocol#writeStaged}) in the transaction's place, against
 * bare writes in a folder of their own. Prints the median wall time and process CPU
 * time of each variant and the ratio of the medians.
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
        boolean staged = mode.equals("staged");
        boolean bare = mode.startsWith("bare") || staged;
        ExecutorService forcers = Executors.newFixedThreadPool(FILES);
        try (Workspace workspace = Workspace.create("transaction-turns")) {
            Path[] transactional = Turns.files(Files.createDirectories(workspace.resolve("transaction")), FILES);
            Path[] sequential = mode.equals("bare-same") ? transactional
                    : Turns.files(Files.createDirectories(workspace.resolve("sequential")), FILES);
            TransactionOptions txOptions = TransactionOptions.builder().showProgress(false)
                    .journalDir(Files.createDirectories(workspace.resolve("journal"))).build();
            WriteOptions writeOptions = WriteOptions.defaults().toBuilder().showProgress(false).build();
            byte[] content = new byte[1024];
            new Random(42).nextBytes(content);
            Turns.Work transaction = round -> {
                content[0] = (byte) round;
                if (staged) {
                    BareProtocol.writeStaged(transactional, content, forcers);
                    return;
                }
                try (FileTransaction tx = new FileTransaction(txOptions)) {
                    for (Path target : transactional) {
                        tx.addWrite(target, content, ContentType.BYTES);
                    }
                    tx.commit();
                }
            };
            Turns.Work sequentialWrites = round -> {
                content[0] = (byte) round;
                for (Path target : sequential) {
                    if (bare) {
                        BareProtocol.write(target, content);
                    } else {
                        AtomicFiles.writeBytes(target, content, writeOptions);
                    }
                }
            };
            Turns.Times[] times = Turns.run(rounds, warmUp, transactions ? transaction : null,
                    writes ? sequentialWrites : null, null);
            if (transactions) {
                System.out.printf(Locale.ROOT, "%s: median %.2f ms, CPU %.2f ms%n", staged ? "staged bare commit"
                        : "transaction", times[0].medianWallNanos() / 1e6, times[0].medianCpuNanos() / 1e6);
            }
            if (writes) {
                System.out.printf(Locale.ROOT, "100 %s writes:  median %.2f ms, CPU %.2f ms%n", bare ? "bare" : "library",
                        times[1].medianWallNanos() / 1e6, times[1].medianCpuNanos() / 1e6);
            }
            if (transactions && writes) {
                System.out.printf(Locale.ROOT, "ratio of the medians: %.3f%n",
                        times[0].medianWallNanos() / times[1].medianWallNanos());
            }
        } finally {
            forcers.shutdownNow();
        }
    }
}
