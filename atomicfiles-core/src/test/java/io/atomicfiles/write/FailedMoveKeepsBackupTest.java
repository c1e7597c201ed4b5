package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A move within one filesystem keeps the target's content as its backup, then renames the source
 * over the target. When that rename fails (moving another user's file out of a sticky folder is
 * EPERM), nothing was moved, and the backup must be the one the target had.
 */
class FailedMoveKeepsBackupTest {
    @TempDir
    Path dir;

    @Test
    void aMoveWhoseRenameFailsLeavesTheBackupAsItWas() throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("target.bin");
        Path backup = dir.resolve("target.bin.backup");
        sourceAndATargetWithABackup(source, target);
        assertThat(Files.readString(backup)).isEqualTo("older");
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        faulty.beforeCall("move source.bin -> target.bin", () -> {
            throw new java.nio.file.FileSystemException(source.toString(), target.toString(),
                    "Operation not permitted (simulated)");
        });
        assertThatThrownBy(() -> AtomicFiles.move(faulty.path(source), faulty.path(target)))
                .hasMessageContaining("Operation not permitted");
        assertThat(Files.readString(source)).isEqualTo("new");
        assertThat(Files.readString(target)).isEqualTo("old");
        // It used to hold "old": the backup step had replaced it before the rename failed, so
        // "older" was nowhere any more, for a move that did not happen.
        assertThat(Files.readString(backup)).isEqualTo("older");
        assertNoHiddenFileLeft();
    }

    @Test
    void aMoveThatSucceedsKeepsTheReplacedContentAsBackup() throws IOException {
        Path source = dir.resolve("source.bin");
        Path target = dir.resolve("target.bin");
        sourceAndATargetWithABackup(source, target);
        AtomicFiles.move(source, target);
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("target.bin.backup"))).isEqualTo("old");
        assertThat(source).doesNotExist();
        assertNoHiddenFileLeft();
    }

    /** {@code source} holds "new"; {@code target} "old", and its backup "older". */
    private static void sourceAndATargetWithABackup(Path source, Path target) throws IOException {
        Files.writeString(source, "new");
        Files.writeString(target, "older");
        AtomicFiles.writeText(target, "old");
    }

    /** No set-aside backup, temp file or other hidden name of the library left in the folder. */
    private void assertNoHiddenFileLeft() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && !n.equals(".atomicfiles.lock")))
                    .as("no hidden file left").isEmpty();
        }
    }
}
