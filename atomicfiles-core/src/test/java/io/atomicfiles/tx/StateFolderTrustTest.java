package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.OtherUser;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state or journal folder is trusted only as ssh trusts {@code ~/.ssh} (issue 8, item 4): it
 * must be the user's own and writable by nobody else, links to it must pass the protected-symlinks
 * rule, and a new one is made owner-only. Before, any folder was used as it was.
 */
class StateFolderTrustTest {
    /** A uid that is nobody on this machine: a folder "owned by another user" without creating one. */
    private static final int STRANGER = 4242;

    @TempDir
    Path dir;

    @Test
    void aWorldWritableJournalFolderIsRefusedAndNothingIsWritten() throws Exception {
        Path journals = Files.createDirectories(dir.resolve("journals"));
        OtherUser.chmod(journals, "0777");
        Path target = dir.resolve("a.txt");

        Throwable failure = catchThrowable(() -> commit(journals, target));

        assertThat(failure).isInstanceOf(AtomicWriteException.class).hasMessageContaining(journals.toString())
                .hasMessageContaining("writable by").hasMessageContaining("0777")
                .hasMessageContaining("chmod go-w").hasMessageContaining("ATOMICFILES_STATE_DIR");
        assertThat(target).doesNotExist();
        assertThat(namesIn(journals)).as("no journal in the refused folder").isEmpty();
    }

    @Test
    void aGroupWritableJournalFolderIsRefused() throws Exception {
        Path journals = Files.createDirectories(dir.resolve("journals"));
        OtherUser.chmod(journals, "0770");

        assertThat(catchThrowable(() -> commit(journals, dir.resolve("a.txt"))))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("writable by its group");
    }

    @Test
    void aJournalFolderOwnedByAnotherUserIsRefused() throws Exception {
        assumeThat(isRoot()).as("only root can give a folder away").isTrue();
        Path journals = Files.createDirectories(dir.resolve("journals"));
        OtherUser.chmod(journals, "0700");
        Files.setAttribute(journals, "unix:uid", STRANGER, LinkOption.NOFOLLOW_LINKS);
        Path target = dir.resolve("a.txt");

        Throwable failure = catchThrowable(() -> commit(journals, target));

        assertThat(failure).isInstanceOf(AtomicWriteException.class).hasMessageContaining(journals.toString())
                .hasMessageContaining("uid " + STRANGER).hasMessageContaining("not by you");
        assertThat(target).doesNotExist();
        assertThat(namesIn(journals)).isEmpty();
    }

    /**
     * Another user's link in a sticky shared folder (like /tmp), where the journal folder was to
     * be made, is not followed: it must not make root create journals in a folder of the
     * attacker's choosing.
     */
    @Test
    void aJournalFolderLinkPlantedByAnotherUserIsNotFollowed() throws Exception {
        assumeThat(isRoot()).as("only root can give a link away").isTrue();
        Path shared = Files.createDirectories(dir.resolve("shared"));
        OtherUser.chmod(shared, "1777");
        Path elsewhere = Files.createDirectories(dir.resolve("root-only"));
        OtherUser.chmod(elsewhere, "0700");
        Path planted = Files.createSymbolicLink(shared.resolve("journals"), elsewhere);
        Files.setAttribute(planted, "unix:uid", STRANGER, LinkOption.NOFOLLOW_LINKS);
        Path target = dir.resolve("a.txt");

        Throwable failure = catchThrowable(() -> commit(planted, target));

        assertThat(failure).isInstanceOf(AtomicWriteException.class);
        assertThat(namesIn(elsewhere)).as("nothing made where the link points").isEmpty();
        assertThat(target).doesNotExist();
    }

    @Test
    void aNewJournalFolderIsMadeOwnerOnly() throws Exception {
        Path journals = dir.resolve("new").resolve("journals");

        commit(journals, dir.resolve("a.txt"));

        assertThat(dir.resolve("a.txt")).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journals))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journals.getParent())))
                .isEqualTo("rwx------");
    }

    /** A lock file name taken by a link (to a root-only folder) is not followed: nothing is created there. */
    @Test
    void aLinkPlantedAtTheLockFileIsNotFollowed() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Path elsewhere = Files.createDirectories(dir.resolve("root-only"));
        Files.createSymbolicLink(folder.resolve(".atomicfiles.lock"), elsewhere.resolve("created-by-us"));
        Path target = folder.resolve("app.json");

        Throwable failure = catchThrowable(() -> AtomicFiles.writeText(target, "{}"));

        assertThat(failure).isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining(folder.resolve(".atomicfiles.lock").toString())
                .hasMessageContaining("symbolic link");
        assertThat(namesIn(elsewhere)).as("nothing created where the link points").isEmpty();
        assertThat(target).doesNotExist();
    }

    private static void commit(Path journals, Path target) throws Exception {
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(journals).build())) {
            tx.addWrite(target, "new", io.atomicfiles.ContentType.TEXT);
            tx.commit();
        }
    }

    private static boolean isRoot() throws Exception {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static java.util.List<String> namesIn(Path folder) throws Exception {
        try (Stream<Path> names = Files.list(folder)) {
            return names.map(p -> p.getFileName().toString()).toList();
        }
    }
}
