package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Unlink#ifExists} answers and acts as {@link Files#deleteIfExists} does, in one call. */
class UnlinkTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsRemovedAndAnAbsentNameIsFalse() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");

        assertThat(Unlink.ifExists(file)).isTrue();
        assertThat(file).doesNotExist();
        assertThat(Unlink.ifExists(file)).isFalse();
        assertThat(Unlink.ifExists(dir.resolve("no-such-folder").resolve("f"))).isFalse();
    }

    @Test
    void aLinkIsRemovedItselfNeverWhatItPointsTo() throws IOException {
        Path kept = Files.writeString(dir.resolve("kept"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link"), kept);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));

        assertThat(Unlink.ifExists(link)).isTrue();
        assertThat(Unlink.ifExists(dangling)).isTrue();

        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(dangling, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readString(kept)).isEqualTo("keep me");
    }

    @Test
    void foldersAsFilesDeleteIfExistsTreatsThem() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("inside"), "stays");

        assertThat(Unlink.ifExists(empty)).isTrue();
        assertThat(empty).doesNotExist();
        assertThat(catchThrowable(() -> Unlink.ifExists(full))).isInstanceOf(DirectoryNotEmptyException.class);
        assertThat(Files.readString(full.resolve("inside"))).isEqualTo("stays");
    }

    /**
     * A name whose bytes are not valid in the platform's encoding (made by another program) shows
     * in Java as U+FFFD; a java.io.File of that text would name other bytes. The raw name is
     * removed all the same, and the file that text names is left alone.
     */
    @Test
    void aNameJavaCannotDecodeIsRemovedAndNoOtherFileWithIt() throws Exception {
        Path raw = RawNames.make(dir, "\\377");
        java.io.File decoy = RawNames.decoyFor(raw);

        assertThat(Unlink.ifExists(raw)).isTrue();

        assertThat(RawNames.list(dir)).doesNotContain(raw);
        assertThat(RawNames.read(decoy)).as("the file the name's text names").isEqualTo("decoy");
    }

    @Test
    void anotherFilesystemIsAskedThroughItsProvider() throws IOException {
        try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = Files.writeString(jimfs.getPath("/f"), "x");

            assertThat(Unlink.ifExists(file)).isTrue();
            assertThat(Unlink.ifExists(file)).isFalse();
            assertThat(Files.exists(file)).isFalse();
        }
    }
}
