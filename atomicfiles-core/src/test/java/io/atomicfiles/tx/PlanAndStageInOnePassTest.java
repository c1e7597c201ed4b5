package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan reads the states of its files side by side, and staging makes each operation's keep
 * links in the same pass as its staged file (issue 11, W3). What a user sees must not change:
 * the same files read (no more), the same bytes and backups on disk, no hidden name left.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PlanAndStageInOnePassTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    private TransactionOptions options() {
        return TransactionOptions.builder().journalDir(journals).showProgress(false).build();
    }

    /**
     * A new file's {@code NAME.backup} is none of the plan's business (nothing displaces it), so
     * it is never opened: a FIFO there (someone else's, in a shared folder) would block an open
     * for ever. Several files, so the states are read on the library's threads.
     */
    @Test
    void aNewFilesBackupIsNotOpenedEvenWhenReadSideBySide() throws Exception {
        Path fifo = dir.resolve("new-0.txt.backup");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "skipped: mkfifo failed");
        try (FileTransaction tx = new FileTransaction(options())) {
            for (int i = 0; i < 8; i++) {
                tx.addWrite(dir.resolve("new-" + i + ".txt"), "new " + i, ContentType.TEXT);
            }
            tx.commit();
        }
        for (int i = 0; i < 8; i++) {
            assertThat(Files.readString(dir.resolve("new-" + i + ".txt"))).isEqualTo("new " + i);
        }
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertThat(mode & 0170000).as("the FIFO is still a FIFO").isEqualTo(0010000);
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /**
     * Forty files replaced at once (more than the staging threads, so each thread stages several
     * and links their keeps right after each), with old backups, a move and a delete (whose keeps
     * are made in the pass after staging): every target holds its new bytes, every backup the
     * content it replaced, and no hidden name is left.
     */
    @Test
    void manyFilesWithBackupsMovesAndDeletes() throws IOException {
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            Files.writeString(dir.resolve("f" + i), "old " + i);
            Files.writeString(dir.resolve("f" + i + ".backup"), "older " + i);
        }
        Files.writeString(dir.resolve("src"), "moved");
        Files.writeString(dir.resolve("dst"), "displaced by the move");
        Files.writeString(dir.resolve("gone"), "deleted");
        try (FileTransaction tx = new FileTransaction(options())) {
            for (int i = 0; i < 40; i++) {
                tx.addWrite(dir.resolve("f" + i), ("new " + i).getBytes(StandardCharsets.UTF_8), ContentType.BYTES);
                expected.put("f" + i, "new " + i);
                expected.put("f" + i + ".backup", "old " + i);
            }
            tx.addMove(dir.resolve("src"), dir.resolve("dst"));
            tx.addDelete(dir.resolve("gone"));
            tx.commit();
        }
        expected.put("dst", "moved");
        expected.put("dst.backup", "displaced by the move");
        expected.put("gone.deleted_backup", "deleted");
        assertThat(TxFiles.state(dir)).containsExactlyEntriesOf(expected);
        assertThat(TxFiles.journals(journals)).isEmpty();
    }
}
