package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confined rename and delete of a transaction, against a swap timed for the instant
 * between the last check and the system call (issue 8 item 10: the window that a check alone
 * leaves). The rename is {@code renameat} and the delete {@code unlinkat} in folders opened from
 * the root without following links, so the swap cannot redirect them: they are refused, and the
 * outside folder keeps its files.
 */
class ConfinementTest {
    @TempDir
    Path temp;

    private Path root;
    private Path sub;
    private Path outside;
    private Confinement confinement;

    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        sub = Files.createDirectories(root.resolve("sub"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(sub.resolve("a.txt"), "inside a");
        Files.writeString(outside.resolve("a.txt"), "outside a");
        Files.writeString(outside.resolve("b.txt"), "outside b");
        confinement = Confinement.of(root);
        root = confinement.root();
        sub = root.resolve("sub");
    }

    @AfterEach
    void noHook() {
        Confinement.beforeCallForTests = null;
    }

    private void swapAfterTheCheck() {
        Confinement.beforeCallForTests = () -> {
            try {
                Files.move(sub, root.resolve("sub.real"));
                Files.createSymbolicLink(sub, outside);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void aRenameThroughAFolderSwappedAfterTheCheckIsRefused() throws IOException {
        swapAfterTheCheck();

        assertThatThrownBy(() -> confinement.renameOver(sub.resolve("a.txt"), sub.resolve("b.txt")))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("symbolic link");

        assertThat(outside.resolve("a.txt")).hasContent("outside a");
        assertThat(outside.resolve("b.txt")).hasContent("outside b");
        assertThat(root.resolve("sub.real/a.txt")).hasContent("inside a");
    }

    @Test
    void aDeleteThroughAFolderSwappedAfterTheCheckIsRefused() throws IOException {
        swapAfterTheCheck();

        assertThatThrownBy(() -> confinement.deleteIfExists(sub.resolve("a.txt")))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("symbolic link");

        assertThat(outside.resolve("a.txt")).hasContent("outside a");
        assertThat(root.resolve("sub.real/a.txt")).hasContent("inside a");
    }

    @Test
    void aReadThroughAFolderSwappedAfterTheCheckIsRefused() {
        swapAfterTheCheck();

        assertThatThrownBy(() -> confinement.newInputStream(sub.resolve("a.txt")).close())
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void confinedRenamesAndDeletesWorkInsideTheRoot() throws IOException {
        try (java.io.InputStream in = confinement.newInputStream(sub.resolve("a.txt"))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("inside a");
        }
        assertThat(confinement.renameOver(sub.resolve("a.txt"), root.resolve("moved.txt"))).isFalse();
        assertThat(root.resolve("moved.txt")).hasContent("inside a");
        assertThat(sub.resolve("a.txt")).doesNotExist();

        // Two links of one file: the rename does nothing, so the old name is unlinked.
        Files.createLink(sub.resolve("link.txt"), root.resolve("moved.txt"));
        assertThat(confinement.renameOver(sub.resolve("link.txt"), root.resolve("moved.txt"))).isTrue();
        assertThat(sub.resolve("link.txt")).doesNotExist();
        assertThat(root.resolve("moved.txt")).hasContent("inside a");

        assertThat(confinement.deleteIfExists(root.resolve("moved.txt"))).isTrue();
        assertThat(confinement.deleteIfExists(root.resolve("moved.txt"))).isFalse();
        assertThat(confinement.deleteIfExists(root.resolve("missing/x.txt"))).isFalse();
    }

    @Test
    void aPathOutsideTheRootIsRefused() {
        assertThatThrownBy(() -> confinement.check(outside.resolve("a.txt"), "rename"))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("not inside the root");
        assertThatThrownBy(() -> confinement.requireInside(outside.resolve("a.txt"), "write", outside.resolve("a.txt")))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("outside the root");
    }
}
