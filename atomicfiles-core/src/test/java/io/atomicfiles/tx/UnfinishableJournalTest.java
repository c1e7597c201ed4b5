package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hidden names cannot be predicted, and one journal that cannot be finished blocks neither the
 * recovery of the others nor later transactions (issue 8, item 6).
 */
class UnfinishableJournalTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private Path files;
    private Path journals;

    /** The process "dies" (an Error: nothing catches it, nothing is cleaned up). */
    private static final class Died extends Error {
        private static final long serialVersionUID = 1L;
    }

    @BeforeEach
    void setUp() throws IOException {
        files = Files.createDirectories(root.resolve("files"));
        journals = Files.createDirectories(root.resolve("journals"));
        Files.writeString(files.resolve("a.txt"), "a1");
        Files.writeString(files.resolve("c.txt"), "c1");
    }

    private TransactionOptions options(Path journalDir, String id) {
        return TransactionOptions.builder().journalDir(journalDir).transactionId(id).showProgress(false).build();
    }

    private void write(Path journalDir, String id, String name, String text) throws IOException {
        try (FileTransaction tx = new FileTransaction(options(journalDir, id))) {
            tx.addWrite(faulty.path(files.resolve(name)), text, ContentType.TEXT);
            tx.commit();
        }
    }

    /** Leaves the journal of a transaction that died just after its commit point. */
    private void crashAfterCommitPoint(Path journalDir, String id, String name, String text) throws IOException {
        faulty.beforeCall("move ." + name, () -> {
            throw new Died();
        });
        try {
            write(faulty.path(journalDir), id, name, text);
            throw new AssertionError("the transaction was to die");
        } catch (Died expected) {
            // as planned
        }
    }

    @Test
    void aFolderPlantedAtTheNameTheIdWouldGiveDoesNotBlockTheTransactionNorTheNextOnes() throws IOException {
        // Before issue 8, the tag was the first 10 hex digits of SHA-256(id): anyone knowing the
        // id (ids are in logs, and callers choose them) could plant something there.
        String tag = Hashing.sha256Hex("deploy-1".getBytes(StandardCharsets.UTF_8)).substring(0, 10);
        Path planted = Files.createDirectories(files.resolve(".a.txt.tx-" + tag + "-0.stage"));
        Files.writeString(planted.resolve("inside"), "someone else's");

        write(journals, "deploy-1", "a.txt", "a2");
        write(journals, "deploy-2", "c.txt", "c2");

        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a2");
        assertThat(Files.readString(files.resolve("c.txt"))).isEqualTo("c2");
        assertThat(Files.readString(planted.resolve("inside"))).isEqualTo("someone else's");
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(FileTransaction.recover(journals).isEmpty()).isTrue();
    }

    @Test
    void aJournalThatCannotBeFinishedIsReportedAndLeftWhileTheOthersAreRecovered() throws IOException {
        // Two transactions died after their commit point (recorded in two folders, so the second
        // one's start does not recover the first), then their journals are put side by side.
        Path other = Files.createDirectories(root.resolve("other-journals"));
        crashAfterCommitPoint(journals, "a-stuck", "a.txt", "a2");
        crashAfterCommitPoint(other, "b-good", "c.txt", "c2");
        Files.move(other.resolve("b-good.journal"), journals.resolve("b-good.journal"));
        // The first cannot be finished: where its staged file was, there is now a folder.
        Path staged = onlyHidden("a.txt", ".stage");
        Files.delete(staged);
        Files.createDirectories(staged).resolve("inside");
        Files.writeString(staged.resolve("inside"), "in the way");

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.transactions()).extracting(RecoveryReport.Transaction::id).containsExactly("b-good");
        assertThat(report.transactions().get(0).outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(report.unfinished()).extracting(u -> u.journal().getFileName().toString())
                .containsExactly("a-stuck.journal");
        assertThat(report.unfinished().get(0).paths()).contains(files.resolve("a.txt"));
        assertThat(report.toString()).contains("a-stuck.journal", "left unfinished");
        assertThat(Files.readString(files.resolve("c.txt"))).isEqualTo("c2");
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a1");
        assertThat(TxFiles.journals(journals)).containsExactly("a-stuck.journal");

        // Later transactions go on, as long as they keep off the stuck transaction's files.
        Files.writeString(files.resolve("d.txt"), "d1");
        write(journals, "later", "d.txt", "d2");
        assertThat(Files.readString(files.resolve("d.txt"))).isEqualTo("d2");
        assertThatThrownBy(() -> write(journals, "clash", "a.txt", "a3"))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("a-stuck.journal").hasMessageContaining(files.resolve("a.txt").toString());
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a1");
        assertThat(TxFiles.journals(journals)).containsExactly("a-stuck.journal");
    }

    private Path onlyHidden(String name, String suffix) throws IOException {
        try (Stream<Path> list = Files.list(files)) {
            List<Path> found = list.filter(p -> p.getFileName().toString().startsWith("." + name + ".tx-")
                    && p.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }
}
