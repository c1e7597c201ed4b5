package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing through a symbolic link changes what it points at; the link stays a link. */
class SymlinkTest {
    @TempDir
    Path dir;

    @Test
    void relativeLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), Path.of("real.txt"));

        WriteResult result = AtomicFiles.writeText(link, "new");

        assertThat(Files.readString(real)).isEqualTo("new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("real.txt"));
        assertThat(Files.isSameFile(result.target(), real)).isTrue();
        assertThat(Files.readString(dir.resolve("real.txt.backup"))).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("link.txt", "real.txt", "real.txt.backup");
    }

    @Test
    void absoluteLinkIntoAnotherFolderKeepsTheBackupBesideTheRealFile() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path links = Files.createDirectory(dir.resolve("links"));
        Path real = Files.writeString(data.resolve("app.json"), "{\"v\": 1}\n");
        Path link = Files.createSymbolicLink(links.resolve("app.json"), real.toAbsolutePath());

        try (AtomicWriter writer = AtomicWriter.open(link)) {
            assertThat(Files.isSameFile(writer.target(), real)).isTrue();
            writer.writeJson(java.util.Map.of("v", 2));
            assertThat(Folders.tempFilesIn(data)).as("the temp file is beside the real file").hasSize(1);
            assertThat(Folders.tempFilesIn(links)).isEmpty();
            writer.commit();
        }

        assertThat(Files.readString(real)).isEqualTo("{\n  \"v\": 2\n}\n");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(real.toAbsolutePath());
        assertThat(Files.readString(data.resolve("app.json.backup"))).isEqualTo("{\"v\": 1}\n");
        assertThat(Folders.names(links)).containsExactly("app.json");
        assertThat(Folders.names(data)).containsExactly("app.json", "app.json.backup");
    }

    @Test
    void chainOfLinksIsFollowedToTheEnd() throws IOException {
        Path other = Files.createDirectory(dir.resolve("other"));
        Path real = Files.writeString(other.resolve("real.txt"), "old");
        Path middle = Files.createSymbolicLink(other.resolve("middle"), Path.of("real.txt"));
        Path first = Files.createSymbolicLink(dir.resolve("first"), Path.of("other/middle"));

        AtomicFiles.writeText(first, "new");

        assertThat(Files.readString(real)).isEqualTo("new");
        assertThat(Files.readSymbolicLink(first)).isEqualTo(Path.of("other/middle"));
        assertThat(Files.readSymbolicLink(middle)).isEqualTo(Path.of("real.txt"));
        assertThat(Folders.names(other)).containsExactly("middle", "real.txt", "real.txt.backup");
        assertThat(Folders.names(dir)).containsExactly("first", "other");
    }

    @Test
    void linkWithDotDotInALinkedFolderResolvesLikeTheKernelDoes() throws IOException {
        // dir/alias -> dir/a/b (a linked folder); dir/alias/cfg -> ../cfg.txt means dir/a/cfg.txt,
        // not dir/cfg.txt: ".." is taken after following the folder link, as open(2) would.
        Path b = Files.createDirectories(dir.resolve("a/b"));
        Path real = Files.writeString(dir.resolve("a/cfg.txt"), "old");
        Path decoy = Files.writeString(dir.resolve("cfg.txt"), "decoy");
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), b);
        Files.createSymbolicLink(b.resolve("cfg"), Path.of("../cfg.txt"));

        AtomicFiles.writeText(alias.resolve("cfg"), "new");

        assertThat(Files.readString(real)).isEqualTo("new");
        assertThat(Files.readString(decoy)).isEqualTo("decoy");
    }

    @Test
    void withoutFollowingTheLinkIsReplacedByAFileAndItsTargetIsUntouched() throws IOException {
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), Path.of("real.txt"));
        WriteOptions replaceLink = WriteOptions.builder().followSymlinks(false).build();

        WriteResult result = AtomicFiles.writeText(link, "new", replaceLink);

        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(link)).isEqualTo("new");
        assertThat(Files.readString(real)).isEqualTo("old");
        assertThat(result.target()).isEqualTo(link.toAbsolutePath());
        // A link's own mode is rwxrwxrwx; the new file must not inherit that.
        assertThat(Files.getPosixFilePermissions(link))
                .isEqualTo(PermissionsTest.permissions(0666 & ~PermissionsTest.umaskOfThisJvm()));
        assertThat(Folders.tempFilesUnder(dir)).isEmpty();
    }

    @Test
    void danglingLinkIsAClearErrorAndNothingIsCreated() throws IOException {
        Path missing = dir.resolve("nowhere/missing.txt");
        Path link = Files.createSymbolicLink(dir.resolve("dangling.txt"), missing);

        assertThatThrownBy(() -> AtomicFiles.writeText(link, "new"))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("dangling")
                .hasMessageContaining(link.toString())
                .satisfies(e -> assertThat(((AtomicWriteException) e).getOperationContext())
                        .containsEntry("path", link.toString()));

        assertThat(Files.exists(missing, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(dir.resolve("nowhere"))).isFalse();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(missing);
        assertThat(Folders.names(dir)).containsExactly("dangling.txt");
    }

    @Test
    void danglingLinkAtTheEndOfAChainIsAClearErrorToo() throws IOException {
        Files.createSymbolicLink(dir.resolve("second"), Path.of("gone.txt"));
        Path first = Files.createSymbolicLink(dir.resolve("first"), Path.of("second"));

        assertThatThrownBy(() -> AtomicFiles.writeBytes(first, new byte[] {1}))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("dangling");

        assertThat(Folders.names(dir)).containsExactly("first", "second");
    }

    @Test
    void loopOfLinksIsAClearError() throws IOException {
        Path a = dir.resolve("a");
        Files.createSymbolicLink(a, Path.of("b"));
        Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));

        assertThatThrownBy(() -> AtomicFiles.writeText(a, "x"))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("symbolic links");

        assertThat(Folders.names(dir)).containsExactly("a", "b");
    }

    @Test
    void linkToAFolderIsRefused() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path link = Files.createSymbolicLink(dir.resolve("to-folder"), folder);

        assertThatThrownBy(() -> AtomicFiles.writeText(link, "x"))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("folder");

        assertThat(Folders.names(folder)).isEmpty();
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }
}
