package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names up to the 255-byte limit of file names work with every option whose names can exist:
 * the hidden names (temp files, the backup's temp link) are cut to fit, keeping their random
 * part. A name whose user-visible companion cannot exist ({@code NAME.backup} of a name of over
 * 248 bytes, a rotated {@code NAME.1.gz}) is refused up front, saying why and what to do, and
 * nothing is touched.
 */
class LongNameTest {
    private static final WriteOptions NO_BACKUP = WriteOptions.builder().backup(false).build();

    @TempDir
    Path dir;

    @Test
    void aNameOfTheFullLengthIsWrittenAndRewrittenWithoutBackup() throws IOException {
        Path file = dir.resolve(name(255));

        AtomicFiles.writeText(file, "one", NO_BACKUP);
        AtomicFiles.writeText(file, "two", NO_BACKUP);
        try (AtomicWriter writer = AtomicWriter.open(file, NO_BACKUP)) {
            writer.writeText("three");
            assertThat(Folders.tempFilesIn(dir)).singleElement()
                    .satisfies(temp -> assertThat(bytes(temp.getFileName().toString())).isLessThanOrEqualTo(255));
            writer.commit();
        }

        assertThat(file).hasContent("three");
        assertThat(Folders.names(dir)).containsExactly(file.getFileName().toString());
    }

    @Test
    void aNameOfTheFullLengthInCharactersOfThreeBytesIsCutAtACharacterBoundary() throws IOException {
        Path file = dir.resolve("日".repeat(85)); // 255 bytes

        AtomicFiles.writeText(file, "one", NO_BACKUP);
        AtomicFiles.writeText(file, "two", WriteOptions.builder().backup(false).createNew(false).build());

        assertThat(file).hasContent("two");
        assertThat(Folders.names(dir)).containsExactly(file.getFileName().toString());
    }

    @Test
    void createNewWorksWithTheFullLength() throws IOException {
        Path file = dir.resolve(name(255));

        AtomicFiles.writeText(file, "mine", WriteOptions.builder().createNew(true).build());

        assertThat(file).hasContent("mine");
        assertThatThrownBy(() -> AtomicFiles.writeText(file, "again", WriteOptions.builder().createNew(true).build()))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void theLongestNameWhoseBackupCanExistKeepsItsBackup() throws IOException {
        Path file = dir.resolve(name(248)); // NAME.backup: 255 bytes

        AtomicFiles.writeText(file, "one");
        AtomicFiles.writeText(file, "two");

        assertThat(file).hasContent("two");
        assertThat(dir.resolve(name(248) + ".backup")).hasContent("one");
        assertThat(Folders.names(dir)).hasSize(2);
    }

    @Test
    void withBackupOnANameWhoseBackupCannotExistIsRefusedSayingWhyAndWhatToDo() throws IOException {
        Path file = dir.resolve(name(249));
        AtomicFiles.writeText(file, "one", NO_BACKUP);

        assertThatThrownBy(() -> AtomicFiles.writeText(file, "two"))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("over the limit of 255 bytes")
                .hasMessageContaining("backup off");
        assertThatThrownBy(() -> AtomicFiles.writeText(dir.resolve(name(250)), "new"))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("backup off");

        assertThat(file).hasContent("one");
        assertThat(Folders.names(dir)).containsExactly(file.getFileName().toString());
    }

    @Test
    void rotationRefusesUpFrontWhenARotatedNameCannotExist() throws IOException {
        Path log = Files.writeString(dir.resolve(name(252)), "line\n"); // NAME.1.gz: 257 bytes

        assertThatThrownBy(() -> AtomicFiles.rotate(log, 3, true))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("over the limit of 255 bytes");

        assertThat(log).hasContent("line\n");
        assertThat(Folders.names(dir)).containsExactly(log.getFileName().toString());
        List<Path> rotated = AtomicFiles.rotate(log, 3, false); // NAME.2: 254 bytes
        assertThat(rotated).hasSize(1);
    }

    /** A name of exactly {@code bytes} ASCII bytes. */
    private static String name(int bytes) {
        return "n".repeat(bytes - 5) + ".conf";
    }

    private static int bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }
}
