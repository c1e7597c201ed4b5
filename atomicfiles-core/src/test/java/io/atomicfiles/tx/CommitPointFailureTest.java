package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fsync of the commit record fails: the record may be on disk or not, and the transaction is
 * undone. The journal must be gone for good (deleted, and its folder forced) before any staged
 * file is removed; else a power cut could keep a journal holding the commit record while losing
 * part of the staged files' removals, and recovery would roll forward from a half-cleaned stage
 * (new content in some files, old in others). Then the staged files' folder is forced, so no
 * hidden file outlives the journal.
 */
class CommitPointFailureTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @Test
    void theJournalIsGoneForGoodBeforeAnyStagedFileIsRemoved() throws IOException {
        // A fault-free run, counted, to find the commit record's fsync: the last force of the
        // journal before the first rename of a staged file.
        faulty.failAt(0);
        faulty.record(true);
        commit(prepare("count"), "count");
        List<String> counted = faulty.log();
        int firstRename = indexOf(counted, "move .", 0);
        int commitForce = -1;
        for (int i = 0; i < firstRename; i++) {
            if (what(counted.get(i)).equals("force count.journal")) {
                commitForce = i;
            }
        }
        assertThat(commitForce).as("the commit record's fsync in %s", counted).isGreaterThan(0);
        int k = Integer.parseInt(counted.get(commitForce).split(" ", 2)[0]);

        Path files = prepare("fail");
        faulty.failAt(k);
        faulty.record(true);
        assertThatThrownBy(() -> commit(files, "fail")).isInstanceOf(IOException.class)
                .hasMessageContaining("fsync journal commit");
        List<String> calls = faulty.log();

        // Undone: the old contents, no hidden file, no journal.
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("old a");
        assertThat(Files.readString(files.resolve("b.txt"))).isEqualTo("old b");
        try (Stream<Path> left = Files.list(files)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.txt", "b.txt");
        }
        assertThat(root.resolve("fail/journals/fail.journal")).doesNotExist();

        // In this order: the journal deleted, its folder forced, then the staged files removed,
        // then their folder forced.
        int failed = indexOf(calls, "force fail.journal", 0);
        int journalDeleted = indexOf(calls, "delete fail.journal", failed);
        int journalFolderForced = indexOf(calls, "force journals", journalDeleted);
        int firstStagedRemoved = indexOf(calls, "delete .", failed);
        int lastStagedRemoved = lastIndexOf(calls, "delete .");
        int filesForcedAfter = indexOf(calls, "force files", lastStagedRemoved);
        assertThat(journalDeleted).as("journal deleted, in %s", calls).isGreaterThan(failed);
        assertThat(journalFolderForced).as("journal folder forced after its deletion, in %s", calls)
                .isGreaterThan(journalDeleted);
        assertThat(firstStagedRemoved).as("staged files removed only after that, in %s", calls)
                .isGreaterThan(journalFolderForced);
        assertThat(filesForcedAfter).as("their folder forced after the last removal, in %s", calls)
                .isGreaterThan(lastStagedRemoved);
    }

    /** {@code root/<run>/files} with two old files, and an empty {@code root/<run>/journals}. */
    private Path prepare(String run) throws IOException {
        Path files = Files.createDirectories(root.resolve(run).resolve("files"));
        Files.createDirectories(root.resolve(run).resolve("journals"));
        Files.writeString(files.resolve("a.txt"), "old a");
        Files.writeString(files.resolve("b.txt"), "old b");
        return files;
    }

    private void commit(Path files, String id) throws IOException {
        TransactionOptions options = TransactionOptions.builder().showProgress(false).backup(false).transactionId(id)
                .journalDir(faulty.path(files.resolveSibling("journals"))).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(faulty.path(files.resolve("a.txt")), "new a", ContentType.TEXT);
            tx.addWrite(faulty.path(files.resolve("b.txt")), "new b", ContentType.TEXT);
            tx.commit();
        }
    }

    /** A log line without its call number. */
    private static String what(String line) {
        return line.split(" ", 2)[1];
    }

    private static int indexOf(List<String> calls, String prefix, int from) {
        for (int i = Math.max(from, 0); i < calls.size(); i++) {
            if (what(calls.get(i)).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<String> calls, String prefix) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (what(calls.get(i)).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
