package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, item 10: a transaction confined to a root ({@code confinedTo}) changes nothing
 * outside it, even when someone who can write inside the root swaps a folder for a symbolic
 * link to an outside folder after the operations were added and checked.
 *
 * <p>The swap is made by a progress listener at the note the transaction gives right before it
 * stages a file ("stage …") or applies an operation ("apply …"): after planning, before the
 * change. Before the fix the transaction followed the link: it wrote, renamed or deleted files
 * in the outside folder. Now the change is refused, the transaction fails and is undone, the
 * outside folder keeps exactly its files, and the folder that was swapped away keeps its old
 * content.
 */
class ConfinedTransactionTest {
    @TempDir
    Path temp;

    private Path root;
    private Path sub;
    private Path outside;
    private Path journals;

    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        sub = Files.createDirectories(root.resolve("sub"));
        outside = Files.createDirectories(temp.resolve("outside"));
        journals = Files.createDirectories(temp.resolve("journals"));
    }

    /** Moves {@code sub} away (to sub.real) and puts a link to the outside folder in its place. */
    private void swapSubForLinkOutside() {
        try {
            Files.move(sub, root.resolve("sub.real"));
            Files.createSymbolicLink(sub, outside);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A listener that swaps the folder at the first note starting with {@code prefix}. */
    private ProgressListener swapAt(String prefix) {
        return new ProgressListener() {
            private boolean swapped;

            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (!swapped && message.startsWith(prefix)) {
                    swapped = true;
                    swapSubForLinkOutside();
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
    }

    private TransactionOptions.Builder confined(boolean backup, ProgressListener listener) {
        return TransactionOptions.builder().journalDir(journals).confinedTo(root).backup(backup)
                .showProgress(true).progressListener(listener);
    }

    private static Map<String, String> files(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @ParameterizedTest(name = "backup {0}")
    @ValueSource(booleans = {true, false})
    void aFolderSwappedForALinkBeforeStagingGetsNoFileOutside(boolean backup) throws IOException {
        Files.writeString(sub.resolve("app.json"), "old");
        Files.writeString(outside.resolve("app.json"), "outside");

        try (FileTransaction tx = new FileTransaction(confined(backup, swapAt("stage")).build())) {
            tx.addWrite(sub.resolve("app.json"), "new", ContentType.TEXT);
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("symbolic link").hasMessageContaining(root.toRealPath().toString());
        }

        assertThat(TxFiles.state(outside)).as("the outside folder").isEqualTo(files("app.json", "outside"));
        assertThat(TxFiles.state(root.resolve("sub.real"))).as("the swapped-away folder")
                .isEqualTo(files("app.json", "old"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /**
     * Two operations; the folder is swapped as the second is about to be applied, after the
     * first was applied: the first is undone, the second never reaches the outside folder.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete with backup", "delete without backup", "move into the folder",
            "move out of the folder"})
    void aFolderSwappedForALinkBeforeApplyingChangesNothingOutside(String kind) throws IOException {
        Files.writeString(root.resolve("a.txt"), "old a");
        Files.writeString(sub.resolve("victim.txt"), "inside victim");
        Files.writeString(root.resolve("m.txt"), "inside m");
        Map<String, String> outsideBefore = files("victim.txt", "outside victim", "m.txt", "outside m");
        TxFiles.write(outside, outsideBefore);
        Map<String, String> subBefore = TxFiles.state(sub);

        boolean backup = !kind.equals("delete without backup");
        try (FileTransaction tx = new FileTransaction(confined(backup, swapAt("apply 2 of 2")).build())) {
            tx.addWrite(root.resolve("a.txt"), "new a", ContentType.TEXT);
            switch (kind) {
                case "move into the folder" -> tx.addMove(root.resolve("m.txt"), sub.resolve("m.txt"));
                case "move out of the folder" -> tx.addMove(sub.resolve("victim.txt"), root.resolve("got.txt"));
                default -> tx.addDelete(sub.resolve("victim.txt"));
            }
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("symbolic link");
        }

        assertThat(TxFiles.state(outside)).as("the outside folder").isEqualTo(outsideBefore);
        assertThat(TxFiles.state(root.resolve("sub.real"))).as("the swapped-away folder").isEqualTo(subBefore);
        assertThat(root.resolve("a.txt")).as("the first operation, undone").hasContent("old a");
        assertThat(root.resolve("m.txt")).hasContent("inside m");
        assertThat(root.resolve("got.txt")).doesNotExist();
        assertThat(root.resolve("a.txt.backup")).doesNotExist();
        assertThat(TxFiles.hiddenLeftovers(root)).isEmpty();
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /**
     * The process dies after the commit point, before applying anything; the folder is swapped
     * before recovery. The journal records the root, so recovery refuses the rename through the
     * link (here the outside file even has the same bytes as the one to delete, so the journal's
     * content checks alone would have let the rename through) and keeps the journal.
     */
    @Test
    void recoveryOfAConfinedTransactionChangesNothingOutside() throws IOException {
        Files.writeString(sub.resolve("victim.txt"), "same bytes");
        Files.writeString(outside.resolve("victim.txt"), "same bytes");
        ProgressListener dies = new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith("apply")) {
                    throw new Death();
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        try (FileTransaction tx = new FileTransaction(confined(true, dies).build())) {
            tx.addDelete(sub.resolve("victim.txt"));
            assertThatThrownBy(tx::commit).isInstanceOf(Death.class);
        }
        assertThat(TxFiles.journals(journals)).as("the crashed transaction's journal").hasSize(1);
        swapSubForLinkOutside();

        try {
            FileTransaction.recover(journals);
        } catch (IOException refused) {
            assertThat(refused).hasMessageContaining("symbolic link");
        }

        assertThat(TxFiles.state(outside)).as("the outside folder").isEqualTo(files("victim.txt", "same bytes"));
        assertThat(TxFiles.state(root.resolve("sub.real"))).isEqualTo(files("victim.txt", "same bytes"));
        assertThat(TxFiles.journals(journals)).as("kept: the transaction could not be finished").hasSize(1);

        // Put right, recovery finishes the transaction where it belongs.
        Files.delete(sub);
        Files.move(root.resolve("sub.real"), sub);
        FileTransaction.recover(journals);
        assertThat(TxFiles.state(sub)).isEqualTo(files("victim.txt.deleted_backup", "same bytes"));
        assertThat(TxFiles.state(outside)).isEqualTo(files("victim.txt", "same bytes"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aPathLeadingOutsideTheRootThroughALinkIsRefusedWhenAdded() throws IOException {
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.writeString(outside.resolve("x.txt"), "outside");
        Files.createSymbolicLink(root.resolve("in"), sub);

        try (FileTransaction tx = new FileTransaction(confined(true, null).build())) {
            assertThatThrownBy(() -> tx.addWrite(root.resolve("out/x.txt"), "new", ContentType.TEXT))
                    .isInstanceOf(AtomicWriteException.class).hasMessageContaining("outside the root");
            assertThatThrownBy(() -> tx.addDelete(root.resolve("out/x.txt")))
                    .isInstanceOf(AtomicWriteException.class).hasMessageContaining("outside the root");
            assertThatThrownBy(() -> tx.addCopy(outside.resolve("x.txt"), root.resolve("copy.txt")))
                    .isInstanceOf(AtomicWriteException.class).hasMessageContaining("outside the root");
            // A link that stays inside the root is followed as ever.
            tx.addWrite(root.resolve("in/y.txt"), "y", ContentType.TEXT);
            tx.commit();
        }
        assertThat(sub.resolve("y.txt")).hasContent("y");
        assertThat(TxFiles.state(outside)).isEqualTo(files("x.txt", "outside"));
    }

    @Test
    void anUnconfinedTransactionIsUnchanged() throws IOException {
        Files.writeString(outside.resolve("x.txt"), "outside");
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(journals).build())) {
            tx.addWrite(outside.resolve("x.txt"), "new", ContentType.TEXT);
            tx.commit();
        }
        assertThat(outside.resolve("x.txt")).hasContent("new");
    }

    /** A process that dies at a chosen moment: an Error, which the library does not catch. */
    private static final class Death extends Error {
        private static final long serialVersionUID = 1L;
    }
}
