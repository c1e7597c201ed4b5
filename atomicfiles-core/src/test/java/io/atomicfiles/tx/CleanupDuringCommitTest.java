package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cleanupBackups} run by someone else at any moment of a transaction's commit must not
 * take the transaction's hidden files with it (issue 8, item 2). Before, the link that keeps a
 * file's old content (which becomes {@code NAME.backup}) was named {@code .NAME.tx-…-0.backup}:
 * it matched {@code *.backup}, carried the old file's (old) mtime, and was deleted; the commit
 * then failed, its undo took the missing link for "already undone", and the transaction ended
 * with {@code a.txt} new, {@code b.txt} old and a.txt's old content gone.
 *
 * <p>Here the cleanup (with the default glob, and with {@code .*}, which matches every hidden
 * name) runs just before each filesystem call of a two-file commit in turn. Whatever the moment,
 * the commit ends all-new or all-old, with nothing left behind.
 */
class CleanupDuringCommitTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private final AtomicFileOperations someoneElse =
            new AtomicFileOperations(AuditTrail.inMemory(), WriteOptions.defaults());

    @Test
    void aCleanupOfBackupsAtAnyMomentOfACommitLeavesAllOldOrAllNew() throws IOException {
        Path files = Files.createDirectories(root.resolve("files"));
        Path journals = Files.createDirectories(root.resolve("journals"));
        reset(files, journals);
        faulty.failAt(0);
        commit(files, journals);
        int calls = faulty.calls();
        assertThat(calls).isGreaterThan(20);

        List<String> outcomes = new ArrayList<>();
        for (int k = 1; k <= calls; k++) {
            reset(files, journals);
            faulty.failAt(0);
            faulty.runBefore(k, () -> {
                someoneElse.cleanupBackups(files, Duration.ZERO);
                someoneElse.cleanupBackups(files, Duration.ZERO, ".*");
            });
            boolean committed;
            try {
                commit(files, journals);
                committed = true;
            } catch (IOException e) {
                committed = false;
            } finally {
                faulty.runBefore(0, null);
            }
            String a = Files.readString(files.resolve("a.txt"));
            String b = Files.readString(files.resolve("b.txt"));
            String at = "cleanup before call " + k + " of " + calls + " (committed: " + committed + ")";
            if (committed) {
                assertThat(List.of(a, b)).as(at).containsExactly("a2", "b2");
            } else {
                assertThat(List.of(a, b)).as(at + ": a failed commit leaves the old content").containsExactly("a1", "b1");
            }
            assertThat(FileTransaction.recover(journals).isEmpty()).as(at).isTrue();
            assertThat(TxFiles.hiddenLeftovers(files)).as(at).isEmpty();
            assertThat(TxFiles.journals(journals)).as(at).isEmpty();
            outcomes.add(committed ? "new" : "old");
        }
        assertThat(outcomes).contains("new");
    }

    private void commit(Path files, Path journals) throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).backup(true)
                .showProgress(false).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(faulty.path(files.resolve("a.txt")), "a2", ContentType.TEXT);
            tx.addWrite(faulty.path(files.resolve("b.txt")), "b2", ContentType.TEXT);
            tx.commit();
        }
    }

    /** a.txt and b.txt with their old content, last modified a day ago, and nothing else. */
    private static void reset(Path files, Path journals) throws IOException {
        TxFiles.empty(files);
        TxFiles.empty(journals);
        FileTime dayAgo = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Files.setLastModifiedTime(Files.writeString(files.resolve("a.txt"), "a1"), dayAgo);
        Files.setLastModifiedTime(Files.writeString(files.resolve("b.txt"), "b1"), dayAgo);
    }
}
