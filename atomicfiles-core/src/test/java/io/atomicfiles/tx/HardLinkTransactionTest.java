package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, item 7, in transactions: {@code rename(2)} between two hard links of one file does
 * nothing and reports success (POSIX). Before the fix, {@code addMove(src, dst)} of two links
 * of one file committed with {@code src} still there; {@code addDelete(f)} with
 * {@code f.deleted_backup} a link of {@code f} committed with {@code f} still there; a write
 * whose {@code NAME.backup} was a link of {@code NAME} leaked the transaction's hidden keep for
 * ever. Now the old name is unlinked where the rename did nothing, in the commit, its undo and
 * recovery alike.
 */
class HardLinkTransactionTest {
    @TempDir
    Path temp;

    private Path dir;
    private Path journals;

    @BeforeEach
    void folders() throws IOException {
        dir = Files.createDirectories(temp.resolve("files"));
        journals = Files.createDirectories(temp.resolve("journals"));
    }

    private TransactionOptions options(boolean backup, ProgressListener listener) {
        return TransactionOptions.builder().journalDir(journals).backup(backup).showProgress(listener != null)
                .progressListener(listener).build();
    }

    private static Map<String, String> files(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @ParameterizedTest(name = "backup {0}")
    @ValueSource(booleans = {true, false})
    void aMoveBetweenTwoLinksOfOneFileLeavesOnlyTheTarget(boolean backup) throws IOException {
        Path src = Files.writeString(dir.resolve("src.txt"), "content");
        Path dst = Files.createLink(dir.resolve("dst.txt"), src);

        try (FileTransaction tx = new FileTransaction(options(backup, null))) {
            tx.addMove(src, dst);
            tx.commit();
        }

        assertThat(TxFiles.state(dir)).isEqualTo(backup
                ? files("dst.txt", "content", "dst.txt.backup", "content")
                : files("dst.txt", "content"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aDeleteWhoseDeletedBackupIsALinkOfTheFileRemovesTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("old.txt"), "old");
        Files.createLink(dir.resolve("old.txt.deleted_backup"), file);

        try (FileTransaction tx = new FileTransaction(options(true, null))) {
            tx.addDelete(file);
            tx.commit();
        }

        assertThat(TxFiles.state(dir)).isEqualTo(files("old.txt.deleted_backup", "old"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aWriteWhoseBackupIsALinkOfTheTargetLeavesNoHiddenName() throws IOException {
        Path file = Files.writeString(dir.resolve("app.json"), "old");
        Files.createLink(dir.resolve("app.json.backup"), file);

        try (FileTransaction tx = new FileTransaction(options(true, null))) {
            tx.addWrite(file, "new", ContentType.TEXT);
            tx.commit();
        }

        assertThat(TxFiles.state(dir)).isEqualTo(files("app.json", "new", "app.json.backup", "old"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /**
     * The move of two links is applied (the source unlinked), then the next operation fails: the
     * undo puts both names back, still one file.
     */
    @Test
    void anUndoneMoveBetweenTwoLinksGivesBothNamesBack() throws IOException {
        Path src = Files.writeString(dir.resolve("src.txt"), "content");
        Path dst = Files.createLink(dir.resolve("dst.txt"), src);
        Files.writeString(dir.resolve("other.txt"), "other");
        ProgressListener failsSecond = listener("apply 2 of 2", () -> {
            throw new IllegalStateException("injected: the second operation fails");
        });

        try (FileTransaction tx = new FileTransaction(options(true, failsSecond))) {
            tx.addMove(src, dst);
            tx.addWrite(dir.resolve("other.txt"), "new other", ContentType.TEXT);
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class);
        }

        assertThat(TxFiles.state(dir)).isEqualTo(files("src.txt", "content", "dst.txt", "content",
                "other.txt", "other"));
        assertThat(Files.isSameFile(src, dst)).as("still two links of one file").isTrue();
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /** Killed after the commit point: recovery's replay of the move and of the delete ends as the commit would. */
    @Test
    void recoveryReplaysMovesAndDeletesOfLinkedFiles() throws IOException {
        Path src = Files.writeString(dir.resolve("src.txt"), "content");
        Path dst = Files.createLink(dir.resolve("dst.txt"), src);
        Path old = Files.writeString(dir.resolve("old.txt"), "old");
        Files.createLink(dir.resolve("old.txt.deleted_backup"), old);
        ProgressListener dies = listener("apply", () -> {
            throw new Death();
        });

        try (FileTransaction tx = new FileTransaction(options(true, dies))) {
            tx.addMove(src, dst);
            tx.addDelete(old);
            assertThatThrownBy(tx::commit).isInstanceOf(Death.class);
        }
        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.transactions()).hasSize(1);
        assertThat(report.transactions().get(0).outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(report.transactions().get(0).conflicts()).isEmpty();
        assertThat(TxFiles.state(dir)).isEqualTo(files("dst.txt", "content", "dst.txt.backup", "content",
                "old.txt.deleted_backup", "old"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    private static ProgressListener listener(String notePrefix, Runnable action) {
        return new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith(notePrefix)) {
                    action.run();
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
    }

    /** A process that dies at a chosen moment: an Error, which the library does not catch. */
    private static final class Death extends Error {
        private static final long serialVersionUID = 1L;
    }
}
