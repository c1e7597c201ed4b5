package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rename(2)} between two hard links of one file does nothing and reports success
 * (POSIX). Every rename and link of the write path, of copy and move, and of rotation must
 * notice: before the fix, a write when {@code NAME.backup} was a hard link of {@code NAME}
 * left {@code .NAME.backup.tmp-*} behind for ever. That is exactly the state a crash between a
 * write's two renames (the backup's, then the publishing one) leaves, which the kill -9 and
 * power-loss runs found.
 */
class HardLinkRenameTest {
    @TempDir
    Path dir;

    @Test
    void aWriteWhenTheBackupIsAHardLinkOfTheFileLeavesNoTempName() throws IOException {
        // The state a crash between the two renames leaves, built by hand.
        Path file = Files.writeString(dir.resolve("app.json"), "old");
        Files.createLink(dir.resolve("app.json.backup"), file);

        AtomicFiles.writeText(file, "new");

        assertThat(file).hasContent("new");
        assertThat(dir.resolve("app.json.backup")).hasContent("old");
        assertThat(Folders.names(dir)).containsExactly("app.json", "app.json.backup");
    }

    @Test
    void theStateOfACrashBetweenTheTwoRenamesIsHealedByTheNextWrite() throws IOException {
        Path file = Files.writeString(dir.resolve("state.txt"), "one");
        Files.writeString(dir.resolve("state.txt.backup"), "zero");
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        // The process dies just before the publishing rename, after the backup's rename.
        faulty.beforeCall("move .state.txt.tmp-", () -> {
            throw new Crash();
        });
        assertThatThrownBy(() -> AtomicFiles.writeText(faulty.path(file), "two")).isInstanceOf(Crash.class);
        assertThat(Files.isSameFile(file, dir.resolve("state.txt.backup"))).as("the crash state").isTrue();

        AtomicFiles.writeText(file, "three");

        assertThat(file).hasContent("three");
        assertThat(dir.resolve("state.txt.backup")).hasContent("one");
        assertThat(Folders.names(dir)).containsExactly("state.txt", "state.txt.backup");
    }

    /** A process that dies at a chosen call: an Error, which the library does not catch. */
    private static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void copyAndMoveOverSuchAFileLeaveNoTempNameEither() throws IOException {
        Path copied = Files.writeString(dir.resolve("copied.txt"), "old");
        Files.createLink(dir.resolve("copied.txt.backup"), copied);
        Path moved = Files.writeString(dir.resolve("moved.txt"), "old");
        Files.createLink(dir.resolve("moved.txt.backup"), moved);
        Path source = Files.writeString(dir.resolve("source.txt"), "new");
        Path incoming = Files.writeString(dir.resolve("incoming.txt"), "newer");

        AtomicFiles.copy(source, copied);
        AtomicFiles.move(incoming, moved);

        assertThat(copied).hasContent("new");
        assertThat(dir.resolve("copied.txt.backup")).hasContent("old");
        assertThat(moved).hasContent("newer");
        assertThat(dir.resolve("moved.txt.backup")).hasContent("old");
        assertThat(Folders.names(dir)).containsExactly("copied.txt", "copied.txt.backup", "moved.txt",
                "moved.txt.backup", "source.txt");
    }

    @Test
    void movingOneNameOfAFileOntoAnotherLeavesOnlyTheTarget() throws IOException {
        // As mv does: the target already is the file; the source name goes.
        Path a = Files.writeString(dir.resolve("a.txt"), "content");
        Path b = dir.resolve("b.txt");
        Files.createLink(b, a);

        Path result = AtomicFiles.move(a, b);

        assertThat(result).isEqualTo(b.toAbsolutePath());
        assertThat(b).hasContent("content");
        assertThat(a).doesNotExist();
        assertThat(Folders.names(dir)).containsExactly("b.txt", "b.txt.backup");
    }

    @Test
    void aRotationWhoseDestinationBecameALinkOfTheSourceFinishes() throws IOException {
        Path log = Files.writeString(dir.resolve("app.log"), "current\n");
        Path first = Files.writeString(dir.resolve("app.log.1"), "older\n");
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        // Another program makes app.log.2 a hard link of app.log.1 after rotation found the name
        // free, just before it renames app.log.1 there.
        faulty.beforeCall("move app.log.1 -> app.log.2", () -> Files.createLink(dir.resolve("app.log.2"), first));

        AtomicFiles.rotate(faulty.path(log), 3);

        assertThat(dir.resolve("app.log.1")).hasContent("current\n");
        assertThat(dir.resolve("app.log.2")).hasContent("older\n");
        assertThat(Folders.names(dir)).containsExactly("app.log.1", "app.log.2");
    }

}
