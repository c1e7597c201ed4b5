package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import io.atomicfiles.testing.OpenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction whose committing thread is interrupted while its files are being staged on the
 * library's threads: once {@code commit()} has ended, nothing of the transaction is left in the
 * user's folders once its journal is recovered (a roll-back cut short by the interrupt leaves it
 * for recovery; a staging thread that went on after the commit must not add a file that recovery
 * then misses) and every target is as it was or, all of them, new.
 */
class InterruptedStagingTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @Test
    void anInterruptDuringStagingLeavesNoStagedFileBehind() throws Exception {
        int files = 10;
        for (int i = 0; i < files; i++) {
            Files.writeString(dir.resolve("f" + i + ".txt"), "old " + i);
        }
        Map<String, String> before = TxFiles.state(dir);
        CountDownLatch staging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // A staging thread stops just before it creates its staged file (no clock: it waits).
        faulty.beforeCall("open .f", () -> {
            staging.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread committer = new Thread(() -> {
            try (FileTransaction tx = new FileTransaction(options)) {
                for (int i = 0; i < files; i++) {
                    tx.addWrite(faulty.path(dir.resolve("f" + i + ".txt")), "new " + i, ContentType.TEXT);
                }
                tx.commit();
                ended.set(new Throwable("returned"));
            } catch (Throwable e) {
                ended.set(e);
            }
        }, "committer");
        committer.start();
        staging.await();
        committer.interrupt();
        committer.join(2_000);
        if (committer.isAlive()) {
            // The commit waits for the staging thread under way: let it go on.
            release.countDown();
            committer.join();
        }
        release.countDown();
        // Whatever the staging threads still had to do is over once none of them runs its code.
        while (stagingCodeRunning()) {
            Thread.onSpinWait();
        }

        // A roll-back that the interrupt cut short leaves its journal for recovery, which finishes it.
        FileTransaction.recover(journals);
        Map<String, String> after = TxFiles.state(dir);
        boolean allNew = true;
        for (int i = 0; i < files; i++) {
            allNew &= ("new " + i).equals(after.get("f" + i + ".txt"));
        }
        if (!allNew) {
            assertThat(after).as("commit() ended with %s: every file as it was", ended.get()).isEqualTo(before);
        }
        assertThat(TxFiles.hiddenLeftovers(dir)).as("staged files left after commit() ended with %s and recovery",
                ended.get()).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(OpenFiles.under(dir)).as("files left open after commit() ended with %s (a staged file"
                + " whose staging went on after the commit's clean-up is never closed)", ended.get()).isEmpty();
    }

    private static boolean stagingCodeRunning() {
        return Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .anyMatch(frame -> frame.getClassName().startsWith("io.atomicfiles.journal.Staging"));
    }
}
