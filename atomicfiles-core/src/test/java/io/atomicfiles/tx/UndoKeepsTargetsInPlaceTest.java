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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling back never makes a file that existed disappear, not even for a moment (issue 8,
 * item 9). Before, the undo of a rename renamed the target away to its staged name, then the
 * kept old content back to the target: a reader in between found no file. Now the kept content
 * is renamed over the target in one step.
 *
 * <p>The apply of the second file fails, so the first is undone; a look at a.txt, b.txt and
 * a.txt.backup is taken just before each filesystem call of the whole commit in turn.
 */
class UndoKeepsTargetsInPlaceTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    @Test
    void everyFileThatExistedIsThereAtEveryMomentOfARollback() throws IOException {
        Path files = Files.createDirectories(root.resolve("files"));
        Path journals = Files.createDirectories(root.resolve("journals"));
        reset(files, journals);
        faulty.record(true);
        faulty.failAt(0);
        commit(files, journals);
        List<String> log = faulty.log();
        faulty.record(false);
        int applyB = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).matches("\\d+ move \\.b\\.txt\\.tx-.*\\.stage -> b\\.txt")) {
                applyB = i + 1;
            }
        }
        assertThat(applyB).as("the rename of b's staged file in " + log).isPositive();

        int calls = -1;
        List<String> absent = new ArrayList<>();
        for (int k = 1; calls < 0 || k <= calls; k++) {
            reset(files, journals);
            faulty.failAt(applyB);
            int at = k;
            faulty.runBefore(k, () -> {
                for (String name : List.of("a.txt", "b.txt", "a.txt.backup")) {
                    if (!Files.exists(files.resolve(name))) {
                        absent.add(name + " before call " + at);
                    }
                }
            });
            assertThatThrownBy(() -> commit(files, journals)).isInstanceOf(IOException.class);
            faulty.runBefore(0, null);
            if (calls < 0) {
                calls = faulty.calls();
            }
            assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a1");
            assertThat(Files.readString(files.resolve("a.txt.backup"))).isEqualTo("a0");
            assertThat(Files.readString(files.resolve("b.txt"))).isEqualTo("b1");
            assertThat(TxFiles.hiddenLeftovers(files)).isEmpty();
            assertThat(TxFiles.journals(journals)).isEmpty();
        }
        assertThat(absent).as("files missing during the rollback").isEmpty();
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

    private static void reset(Path files, Path journals) throws IOException {
        TxFiles.empty(files);
        TxFiles.empty(journals);
        Files.writeString(files.resolve("a.txt"), "a1");
        Files.writeString(files.resolve("a.txt.backup"), "a0");
        Files.writeString(files.resolve("b.txt"), "b1");
    }
}
