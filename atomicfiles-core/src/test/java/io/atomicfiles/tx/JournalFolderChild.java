package io.atomicfiles.tx;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * For {@link JournalFolderTest}: {@code FILES EXPECTED} commits a transaction with the default
 * journal folder and prints whether its journal was in EXPECTED while it applied
 * ({@code during=true}) and after it ended ({@code after=false}). {@code recover JOURNALS} runs
 * recovery and prints how many transactions it recovered and skipped.
 */
public final class JournalFolderChild {
    private JournalFolderChild() {
    }

    public static void main(String[] args) throws IOException {
        if (args[0].equals("recover")) {
            RecoveryReport report = FileTransaction.recover(Paths.get(args[1]));
            System.out.println("recovered=" + report.transactions().size());
            System.out.println("skipped=" + report.skipped().size());
            return;
        }
        Path files = Paths.get(args[0]);
        Path expected = Paths.get(args[1]);
        boolean[] during = new boolean[1];
        String[] id = new String[1];
        ProgressListener observer = new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith("apply ")) {
                    during[0] |= Files.exists(expected.resolve(id[0] + ".journal"));
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().progressListener(observer).build())) {
            id[0] = tx.id();
            tx.addWrite(files.resolve("x.txt"), "x", ContentType.TEXT);
            tx.addWrite(files.resolve("y.txt"), "y", ContentType.TEXT);
            tx.commit();
        }
        System.out.println("during=" + during[0]);
        System.out.println("after=" + Files.exists(expected.resolve(id[0] + ".journal")));
    }
}
