package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AtomicFiles.copy and move: the destination holds its old content or the complete new one. */
class CopyMoveTest {
    @TempDir
    Path dir;

    @Test
    void copyToANewFileTakesTheSourcesBytesAndMode() throws IOException {
        Path source = Files.writeString(dir.resolve("source.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwxr-x---"));
        Path copy = dir.resolve("sub/copy.sh");

        WriteResult result = AtomicFiles.copy(source, copy);

        assertThat(Files.readString(copy)).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rwxr-x---");
        assertThat(result.sha256()).isEqualTo(AtomicFiles.checksum(source));
        assertThat(Files.readString(source)).isEqualTo("#!/bin/sh\necho hi\n");
    }

    @Test
    void copyOverAnExistingFileKeepsItsBackupAndMode() throws IOException {
        Path source = Files.writeString(dir.resolve("new.txt"), "new");
        Path target = Files.writeString(dir.resolve("old.txt"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));

        AtomicFiles.copy(source, target);

        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("old.txt.backup"))).isEqualTo("old");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
    }

    @Test
    void copyOntoItselfIsRefusedAndChangesNothing() throws IOException {
        Path file = Files.writeString(dir.resolve("same.txt"), "content");
        Path link = Files.createSymbolicLink(dir.resolve("alias.txt"), file);

        assertThatThrownBy(() -> AtomicFiles.copy(file, link)).isInstanceOf(IllegalArgumentException.class);

        assertThat(Files.readString(file)).isEqualTo("content");
        assertThat(Folders.names(dir)).containsExactly("alias.txt", "same.txt");
    }

    @Test
    void moveRenamesAndKeepsTheReplacedFileAsBackup() throws IOException {
        Path source = Files.writeString(dir.resolve("incoming.txt"), "new");
        Path target = Files.writeString(dir.resolve("current.txt"), "old");

        Path moved = AtomicFiles.move(source, target);

        assertThat(moved).isEqualTo(target.toAbsolutePath());
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("current.txt.backup"))).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("current.txt", "current.txt.backup");
    }

    @Test
    void missingSourceIsNoSuchFileAndCreatesNothing() {
        assertThatThrownBy(() -> AtomicFiles.copy(dir.resolve("missing"), dir.resolve("to")))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> AtomicFiles.move(dir.resolve("missing"), dir.resolve("to")))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(Folders.names(dir)).isEmpty();
    }
}
