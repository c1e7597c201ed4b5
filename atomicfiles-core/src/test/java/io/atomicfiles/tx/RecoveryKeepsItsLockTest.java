package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery holds the journal's OS lock for as long as it works on the transaction. The lock is
 * a POSIX (fcntl) lock: closing any descriptor of the file releases it, so reading the journal
 * through a second descriptor would let another process's recovery take the same transaction
 * over, and both would roll it forward. Here another JVM runs recovery of the same folder at
 * the moment this one is about to apply the first rename: it must find the journal held.
 */
class RecoveryKeepsItsLockTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    /** The process "dies" (an Error: nothing catches it, nothing is cleaned up). */
    private static final class Died extends Error {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void anotherProcessFindsTheJournalHeldWhileRecoveryWorks() throws Exception {
        Path files = Files.createDirectories(root.resolve("files"));
        Path journals = Files.createDirectories(root.resolve("journals"));
        Files.writeString(files.resolve("a.txt"), "a1");
        Files.writeString(files.resolve("b.txt"), "b1");
        TransactionOptions options = TransactionOptions.builder().journalDir(faulty.path(journals))
                .transactionId("crashed").showProgress(false).build();

        // A transaction that dies just after its commit point: recovery must roll it forward.
        faulty.beforeCall("move .a.txt", () -> {
            throw new Died();
        });
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(faulty.path(files.resolve("a.txt")), "a2", ContentType.TEXT);
            tx.addWrite(faulty.path(files.resolve("b.txt")), "b2", ContentType.TEXT);
            tx.commit();
        } catch (Died expected) {
            // the process "died" after the commit point
        }
        assertThat(TxFiles.journals(journals)).containsExactly("crashed.journal");

        List<String> other = new ArrayList<>();
        faulty.beforeCall("move .a.txt", () -> {
            try (ChildJvm child = ChildJvm.builder(JournalFolderChild.class).quickStart()
                    .args("recover", journals.toString()).start()) {
                other.addAll(child.readRemainingLines());
                assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        RecoveryReport report = FileTransaction.recover(faulty.path(journals));

        assertThat(other).as("the other process's recovery, run while this one applied the renames")
                .contains("recovered=0", "skipped=1");
        assertThat(report.transactions()).hasSize(1);
        assertThat(report.transactions().get(0).outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a2");
        assertThat(Files.readString(files.resolve("b.txt"))).isEqualTo("b2");
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(TxFiles.hiddenLeftovers(files)).isEmpty();
    }
}
