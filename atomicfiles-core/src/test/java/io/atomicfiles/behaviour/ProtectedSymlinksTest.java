package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.IORunnable;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.OtherUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link planted by another user in a shared folder never redirects what this process does.
 *
 * <p>The library follows links itself, so the kernel's {@code fs.protected_symlinks} never
 * applies to them; it applies the same rule itself, whatever the sysctl says (on the machine
 * these tests were written on it is 0): a link in a sticky folder that everyone may write to
 * (like {@code /tmp}) is followed only when it belongs to this process's user or to the
 * folder's owner. Here user B ({@code af-wp-mallory}) plants links in such a folder pointing at
 * a file only root may write, and root (the test) writes, copies, moves, rotates and updates
 * through them: every one is refused, saying why, and the root-only file stays byte for byte.
 * Links the rule allows (root's own, the folder owner's, any link in a folder that is not
 * sticky) are still followed.
 */
class ProtectedSymlinksTest {
    private static final String SECRET = "root:$6$only-root-may-write-this:19000:0:99999:7:::\n";

    @TempDir
    Path dir;

    private OtherUser mallory;
    private Path shared;
    private Path vault;
    private Path secret;

    @BeforeEach
    void sharedFolderAndARootOnlyFile() throws IOException {
        mallory = OtherUser.getOrSkip("af-wp-mallory");
        shared = OtherUser.stickyShared(dir.resolve("tmp"));
        vault = Files.createDirectory(dir.resolve("vault"));
        OtherUser.chmod(vault, "0700");
        secret = Files.writeString(vault.resolve("shadow"), SECRET);
        OtherUser.chmod(secret, "0600");
    }

    @Test
    void aLinkPlantedByAnotherUserInAStickyFolderIsNotFollowed() throws Exception {
        Path planted = plant(shared.resolve("app.json"), secret);

        assertThatThrownBy(() -> AtomicFiles.writeText(planted, "what the attacker wanted"))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("refused to follow the symbolic link " + planted)
                .hasMessageContaining("af-wp-mallory")
                .hasMessageContaining("sticky")
                .hasMessageContaining("planted");

        assertUntouched();
        assertThat(Files.isSymbolicLink(planted)).as("the link is left alone").isTrue();
        assertThat(Folders.names(shared)).containsExactly("app.json");
    }

    @Test
    void everyOperationThatFollowsALinkRefusesIt() throws Exception {
        Path planted = plant(shared.resolve("app.json"), secret);
        Path plantedLog = plant(shared.resolve("app.log"), secret);
        Path mine = Files.writeString(dir.resolve("mine.txt"), "mine");
        OtherUser.chmod(mine, "0644");

        refused(() -> {
            try (AtomicWriter writer = AtomicWriter.open(planted)) {
                writer.writeText("x");
                writer.commit();
            }
        });
        refused(() -> AtomicFiles.writeJson(planted, Map.of("x", 1)));
        refused(() -> AtomicFiles.writeBytes(planted, new byte[] {1}, WriteOptions.builder().backup(false).build()));
        refused(() -> AtomicFiles.copy(mine, planted));
        refused(() -> AtomicFiles.move(mine, planted));
        refused(() -> AtomicFiles.rotate(plantedLog, 3, true));
        refused(() -> new AtomicFileOperations().atomicJsonUpdate(planted, data -> data));
        // A copy's source read through the link would publish the secret where it can be read.
        refused(() -> AtomicFiles.copy(planted, mine));
        refused(() -> AtomicFiles.move(planted, dir.resolve("moved.txt")));

        assertUntouched();
        assertThat(mine).hasContent("mine");
        assertThat(Folders.names(dir)).containsExactlyInAnyOrder("mine.txt", "tmp", "vault");
    }

    @Test
    void everyLinkOfAChainIsChecked() throws Exception {
        // root's own link (allowed) leads to mallory's (not allowed).
        plant(shared.resolve("second"), secret);
        Path first = Files.createSymbolicLink(shared.resolve("first"), Path.of("second"));

        assertThatThrownBy(() -> AtomicFiles.writeText(first, "x")).isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("refused to follow the symbolic link " + shared.resolve("second"));

        assertUntouched();
    }

    @Test
    void aFolderOfThePathThatIsAnotherUsersLinkIsNotFollowed() throws Exception {
        plant(shared.resolve("conf"), vault);

        assertThatThrownBy(() -> AtomicFiles.writeText(shared.resolve("conf").resolve("shadow"), "x"))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("refused to follow the symbolic link " + shared.resolve("conf"));
        assertThatThrownBy(() -> AtomicFiles.writeText(shared.resolve("conf").resolve("new.txt"), "x"))
                .isInstanceOf(AtomicWriteException.class);

        assertUntouched();
        assertThat(Folders.names(vault)).containsExactly("shadow");
    }

    @Test
    void aLinkInsideALinksTargetIsChecked() throws Exception {
        // root's link points through mallory's folder link: its target's components are walked too.
        plant(shared.resolve("detour"), vault);
        Path mine = Files.createSymbolicLink(shared.resolve("mine"), Path.of("detour/shadow"));

        assertThatThrownBy(() -> AtomicFiles.writeText(mine, "x")).isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("refused to follow the symbolic link " + shared.resolve("detour"));

        assertUntouched();
    }

    @Test
    void rootsOwnLinkInTheStickyFolderIsFollowed() throws IOException {
        Path link = Files.createSymbolicLink(shared.resolve("app.json"), secret);

        AtomicFiles.writeText(link, "root wrote this");

        assertThat(secret).hasContent("root wrote this");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void aLinkOfTheFoldersOwnerIsFollowed() throws Exception {
        // mallory's own sticky shared folder: her links there are the folder owner's.
        Path hers = OtherUser.stickyShared(dir.resolve("hers"));
        mallory.chown(hers);
        Path target = Files.writeString(Files.createDirectory(dir.resolve("data")).resolve("report.txt"), "old");
        Path link = plant(hers.resolve("report.txt"), target);

        AtomicFiles.writeText(link, "new");

        assertThat(target).hasContent("new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void anotherUsersLinkInAFolderThatIsNotStickyIsFollowed() throws Exception {
        // The kernel's rule covers sticky folders only: elsewhere links are followed.
        Path open = OtherUser.shared(dir.resolve("open"), "0777");
        Path target = Files.writeString(Files.createDirectory(dir.resolve("data")).resolve("report.txt"), "old");
        Path link = plant(open.resolve("report.txt"), target);

        AtomicFiles.writeText(link, "new");

        assertThat(target).hasContent("new");
    }

    /** mallory makes {@code link} point at {@code target}; the link is hers. */
    private Path plant(Path link, Path target) throws Exception {
        mallory.runOrFail("ln", "-s", target.toString(), link.toString());
        assertThat(Files.getOwner(link, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(mallory.name());
        return link;
    }

    private static void refused(IORunnable operation) {
        assertThatThrownBy(operation::run).isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("refused to follow the symbolic link");
    }

    private void assertUntouched() throws IOException {
        assertThat(Files.readString(secret)).as("the root-only file, byte for byte").isEqualTo(SECRET);
        assertThat(Folders.names(vault)).containsExactly("shadow");
        assertThat(Folders.tempFilesUnder(dir)).isEmpty();
    }
}
