package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.IORunnable;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery scanning a journal folder races with the transactions of other processes, which
 * delete their journals as they end, after releasing their lock. A journal that vanishes between
 * recovery locking it and reading it belongs to a transaction that has ended: recovery skips it,
 * and a transaction whose own recovery (at its beginning) met it goes on.
 *
 * <p>The race is made to happen at will: the journal's owner "dies" just before deleting it,
 * and the faulty filesystem deletes it just after recovery has taken its lock, as recovery
 * looks whether it is still there (recovery opens a journal once: a second descriptor, closed,
 * would drop its lock).
 */
class RecoveryRaceTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private Path files;
    private Path journals;

    @BeforeEach
    void setUp() throws IOException {
        files = Files.createDirectories(root.resolve("files"));
        journals = Files.createDirectories(root.resolve("journals"));
    }

    private TransactionOptions options(String id) {
        return TransactionOptions.builder().journalDir(faulty.path(journals)).transactionId(id).showProgress(false)
                .build();
    }

    /** The transaction whose journal vanishes: it writes "a2" to a.txt. */
    private void ending() throws IOException {
        try (FileTransaction tx = new FileTransaction(options("ending"))) {
            tx.addWrite(faulty.path(files.resolve("a.txt")), "a2", ContentType.TEXT);
            tx.commit();
        }
    }

    /** The number of the first call of {@code action} whose log line is {@code what}. */
    private int callOf(IORunnable action, String what) throws IOException {
        faulty.record(true);
        faulty.failAt(0);
        action.run();
        faulty.record(false);
        List<String> calls = faulty.log();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).equals((i + 1) + " " + what)) {
                return i + 1;
            }
        }
        throw new AssertionError("no call '" + what + "' in " + calls);
    }

    /** The files as every run starts: a.txt only. */
    private void reset() throws IOException {
        TxFiles.empty(journals);
        TxFiles.empty(files);
        Files.writeString(files.resolve("a.txt"), "a");
    }

    /** A journal whose transaction is done but for deleting it, as its owner is about to. */
    private void leaveAnEndingJournal(int deleteJournal) throws IOException {
        reset();
        faulty.crashAt(deleteJournal);
        try {
            ending();
        } catch (FaultyFileSystem.SimulatedCrash stopped) {
            // stopped just before deleting its journal
        }
        faulty.crashAt(0);
        assertThat(TxFiles.journals(journals)).containsExactly("ending.journal");
    }

    /** Arms the owner's deletion of its journal at call {@code k}: the call then finds no journal. */
    private void deleteTheJournalAt(int k) {
        Path journal = journals.resolve("ending.journal");
        faulty.failWith(() -> {
            try {
                Files.delete(journal);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new NoSuchFileException(journal.toString());
        });
        faulty.failAt(k);
    }

    private void disarm() {
        faulty.failAt(0);
        faulty.failWith(() -> new IOException("injected fault"));
    }

    @Test
    void recoverySkipsAJournalDeletedAsItReadsIt() throws IOException {
        reset();
        int deleteJournal = callOf(this::ending, "delete ending.journal");
        leaveAnEndingJournal(deleteJournal);
        int read = callOf(() -> FileTransaction.recover(faulty.path(journals)), "stat ending.journal");

        leaveAnEndingJournal(deleteJournal);
        deleteTheJournalAt(read);
        RecoveryReport report;
        try {
            report = FileTransaction.recover(faulty.path(journals));
        } finally {
            disarm();
        }
        assertThat(report.transactions()).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(TxFiles.hiddenLeftovers(files)).isEmpty();
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a2");
    }

    @Test
    void aTransactionWhoseRecoveryMeetsAJournalDeletedAsItReadsItGoesOn() throws IOException {
        reset();
        int deleteJournal = callOf(this::ending, "delete ending.journal");
        IORunnable next = () -> {
            try (FileTransaction tx = new FileTransaction(options("next"))) {
                tx.addWrite(faulty.path(files.resolve("b.txt")), "b", ContentType.TEXT);
                tx.commit();
            }
        };
        leaveAnEndingJournal(deleteJournal);
        int read = callOf(next, "stat ending.journal");

        leaveAnEndingJournal(deleteJournal);
        deleteTheJournalAt(read);
        try {
            next.run();
        } finally {
            disarm();
        }
        assertThat(Files.readString(files.resolve("b.txt"))).isEqualTo("b");
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a2");
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(TxFiles.hiddenLeftovers(files)).isEmpty();
    }
}
