package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mode of a new target told after the write began ({@link WriteProtocol#newFilePermissions}):
 * a temp file created with the umask's mode (its final mode, had nothing else been told) is
 * made owner-only at once, before any content, when the mode told is another; told after
 * content, it is refused. And a copy to a new file, which tells its source's mode at
 * {@link WriteProtocol#begin}, publishes a private source's copy private.
 */
class NewFilePermissionsTest {
    private static final WriteOptions LEAN = WriteOptions.builder().backup(false).verifyIntegrity(false)
            .showProgress(false).build();

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).as("POSIX file modes").contains("posix");
    }

    @Test
    void aPrivateModeToldAfterTheStartMakesTheTempFileOwnerOnlyBeforeAnyContent() throws IOException {
        Path target = dir.resolve("new.txt");
        // Content in hand: the temp file may be created with the umask's mode, which the later
        // private mode must narrow before any content is in it.
        try (WriteProtocol write = WriteProtocol.begin(target, LEAN, "write", -1, null, true)) {
            write.newFilePermissions(PosixFilePermissions.fromString("rw-------"));

            assertThat(modeOf(write.tempFile())).isEqualTo("rw-------");
            write.content().write("private".getBytes(StandardCharsets.UTF_8));
            write.commit();
        }

        assertThat(Files.readString(target)).isEqualTo("private");
        assertThat(modeOf(target)).isEqualTo("rw-------");
    }

    @Test
    void aModeToldAfterContentIsRefused() throws IOException {
        Path target = dir.resolve("late.txt");
        try (WriteProtocol write = WriteProtocol.begin(target, LEAN, "write", -1)) {
            write.content().write(1);

            assertThatThrownBy(() -> write.newFilePermissions(PosixFilePermissions.fromString("rw-------")))
                    .isInstanceOf(IllegalStateException.class);
        }

        assertThat(target).doesNotExist();
    }

    @Test
    void aCopyOfAPrivateFileIsPublishedPrivate() throws IOException {
        Path source = Files.writeString(dir.resolve("secret.txt"), "s3cret");
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-------"));
        Path target = dir.resolve("copy.txt");

        AtomicFiles.copy(source, target);

        assertThat(Files.readString(target)).isEqualTo("s3cret");
        assertThat(modeOf(target)).isEqualTo("rw-------");
    }

    private static String modeOf(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }
}
