package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging writes a window of files first and forces them after (journal.Staging: 128 files a
 * window; content over 64 KiB forced at once). Whatever the mix, what is published is every
 * file's new content with its old one as the backup, and nothing hidden is left; a failure in
 * either pass leaves every file as it was.
 */
class StagingPassesTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    private TransactionOptions options() {
        return TransactionOptions.builder().journalDir(journals).showProgress(false).build();
    }

    @Test
    void moreFilesThanOneWindowMixedWithLargeOnes() throws IOException {
        int files = 300; // three windows
        byte[][] contents = new byte[files][];
        Random random = new Random(7);
        for (int i = 0; i < files; i++) {
            Files.writeString(dir.resolve("f" + i), "old " + i);
            // Every tenth file is larger than what waits for the second pass.
            contents[i] = new byte[i % 10 == 0 ? 200 * 1024 + i : 1000 + i];
            random.nextBytes(contents[i]);
        }
        Path source = Files.write(dir.resolve("big-source"), contents[0]);

        try (FileTransaction tx = new FileTransaction(options())) {
            for (int i = 0; i < files; i++) {
                tx.addWrite(dir.resolve("f" + i), contents[i], ContentType.BYTES);
            }
            tx.addCopy(source, dir.resolve("copy"));
            tx.commit();
        }

        for (int i = 0; i < files; i++) {
            assertThat(Arrays.equals(Files.readAllBytes(dir.resolve("f" + i)), contents[i])).as("f" + i).isTrue();
            assertThat(Files.readString(dir.resolve("f" + i + ".backup"))).isEqualTo("old " + i);
        }
        assertThat(Files.readAllBytes(dir.resolve("copy"))).isEqualTo(contents[0]);
        assertThat(TxFiles.hiddenLeftovers(dir)).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aFileThatCannotBeStagedInTheLastWindowLeavesEveryFileAsItWas() throws IOException {
        int files = 200;
        for (int i = 0; i < files; i++) {
            Files.writeString(dir.resolve("f" + i), "old " + i);
        }
        Map<String, String> before = TxFiles.state(dir);

        try (FileTransaction tx = new FileTransaction(options())) {
            for (int i = 0; i < files; i++) {
                tx.addWrite(dir.resolve("f" + i), ("new " + i).getBytes(), ContentType.BYTES);
            }
            // A copy whose source vanishes before the commit: its staging fails (after the first
            // window was written, forced and closed, and while the others of its window are open).
            Path source = Files.writeString(dir.resolve("source"), "gone soon");
            tx.addCopy(source, dir.resolve("copy"));
            Files.delete(source);
            before = TxFiles.state(dir);
            assertThatThrownBy(tx::commit).isInstanceOf(IOException.class);
        }

        assertThat(TxFiles.state(dir)).isEqualTo(before);
        assertThat(TxFiles.hiddenLeftovers(dir)).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
    }
}
