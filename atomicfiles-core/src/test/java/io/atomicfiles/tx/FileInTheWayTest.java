package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction that needs a folder where a file stands. JDK 17 notices while planning; JDK 25
 * reports a path below a file as absent, so the transaction gets as far as staging, and its
 * clean-up meets paths below a file (ENOTDIR). Either way: the commit fails, every file is as
 * it was (the file in the way included), nothing is left behind, and the journal folder stays
 * usable.
 */
class FileInTheWayTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    private List<String> tree() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            // The folder's lock file (.atomicfiles.lock) is there by design, and never opened here.
            return walk.filter(p -> !p.equals(dir) && !p.getFileName().toString().equals(".atomicfiles.lock")).map(p -> {
                try {
                    return dir.relativize(p) + (Files.isDirectory(p) ? "/" : "=" + Files.readString(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    @Test
    void aFileWhereAFolderMustBeMadeFailsTheCommitAndChangesNothing() throws IOException {
        Files.writeString(dir.resolve("reports"), "a file, not a folder");
        Files.writeString(dir.resolve("motd.txt"), "old");
        List<String> before = tree();
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();

        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(dir.resolve("motd.txt"), "new", ContentType.TEXT);
            tx.addCopy(dir.resolve("motd.txt"), dir.resolve("archive/motd.txt"));
            tx.addWrite(dir.resolve("reports/2024/q1.csv"), "q,total\n", ContentType.TEXT);
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class).hasMessageContaining("reports");
        }

        assertThat(tree()).isEqualTo(before);
        try (Stream<Path> left = Files.list(journals)) {
            assertThat(left.filter(p -> p.toString().endsWith(".journal")).toList()).isEmpty();
        }
        assertThat(FileTransaction.recover(journals).isEmpty()).isTrue();

        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(dir.resolve("motd.txt"), "new", ContentType.TEXT);
            tx.commit();
        }
        assertThat(Files.readString(dir.resolve("motd.txt"))).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("reports"))).isEqualTo("a file, not a folder");
    }

    @Test
    void theSameWithAnOperationWhoseFolderIsInTheWayFirst() throws IOException {
        Files.writeString(dir.resolve("a"), "file a");
        List<String> before = tree();
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(dir.resolve("a/b/c/d.json"), Map.of("k", 1), ContentType.JSON);
            tx.addWrite(dir.resolve("e/f.txt"), "x", ContentType.TEXT);
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class);
        }
        assertThat(tree()).isEqualTo(before);
        assertThat(FileTransaction.recover(journals).isEmpty()).isTrue();
    }
}
