package io.atomicfiles.tx;

import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

/**
 * A writer process of {@link TwoProcessTransactionTest}: {@code DIR JOURNALS NAME COUNT FILES...}
 * says "ready", waits for the test's go, then commits COUNT transactions, the g-th
 * writing the marker {@code NAME:g} into every one of FILES, and prints the wall-clock time of
 * its first and last commit.
 */
public final class WriterChild {
    private WriterChild() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Paths.get(args[0]);
        Path journals = Paths.get(args[1]);
        String name = args[2];
        int count = Integer.parseInt(args[3]);
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false)
                .backup(false).durability(Durability.NONE).build();
        Random random = new Random(name.hashCode());
        ChildSide.ready();
        ChildSide.awaitGo();
        long first = 0;
        for (int g = 1; g <= count; g++) {
            try (FileTransaction tx = new FileTransaction(options)) {
                for (int i = 4; i < args.length; i++) {
                    tx.addWrite(dir.resolve(args[i]), name + ":" + g, ContentType.TEXT);
                }
                tx.commit();
            }
            if (g == 1) {
                first = System.currentTimeMillis();
            }
            // A pause between transactions: the other writer polls for the locks (PathLocks), and
            // without a gap it would wait until this one is done.
            Thread.sleep(10 + random.nextInt(30));
        }
        System.out.println("first " + first);
        System.out.println("last " + System.currentTimeMillis());
    }
}
