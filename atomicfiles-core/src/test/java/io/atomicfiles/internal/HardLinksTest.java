package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HardLinks#removeIfStillThere} after a rename: the usual case (the name is gone) is asked
 * with one {@code stat} that throws nothing; a name still there is removed only when it is the
 * very file the target names.
 */
class HardLinksTest {
    @TempDir
    Path dir;

    @Test
    void aRenameBetweenTwoLinksOfOneFileLeavesOnlyTheTarget() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "one file");
        Path other = Files.createLink(dir.resolve("other"), target);

        assertThat(HardLinks.renameOver(other, target)).as("the rename did nothing; other removed").isTrue();

        assertThat(other).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("one file");
    }

    /**
     * A name Java cannot decode (see {@link UnlinkTest}) is looked at by its own bytes: a
     * java.io.File of its text would ask about another name, find none, and leave it.
     */
    @Test
    void aRenameBetweenTwoLinksWithANameJavaCannotDecodeLeavesOnlyTheTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "one file");
        Path raw = RawNames.make(dir, "\\377");
        Files.delete(raw);
        Files.createLink(raw, target);

        assertThat(HardLinks.renameOver(raw, target)).as("the rename did nothing; the raw name removed").isTrue();

        assertThat(RawNames.list(dir)).doesNotContain(raw);
        assertThat(Files.readString(target)).isEqualTo("one file");
    }

    @Test
    void anOrdinaryRenameRemovesNothing() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "old");
        Path staged = Files.writeString(dir.resolve(".target.staged"), "new");

        assertThat(HardLinks.renameOver(staged, target)).isFalse();

        assertThat(staged).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("new");
    }

    @Test
    void aDifferentFileMadeAtTheOldNameIsNotOursAndStays() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "renamed");
        Path from = Files.writeString(dir.resolve("from"), "someone else's");

        assertThat(HardLinks.removeIfStillThere(from, target)).isFalse();

        assertThat(Files.readString(from)).isEqualTo("someone else's");
        assertThat(Files.readString(target)).isEqualTo("renamed");
    }

    @Test
    void aLinkAtTheOldNameThatLeadsNowhereIsLeft() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "renamed");
        Path from = Files.createSymbolicLink(dir.resolve("from"), dir.resolve("nowhere"));

        assertThat(HardLinks.removeIfStillThere(from, target)).isFalse();

        assertThat(Files.isSymbolicLink(from)).isTrue();
        assertThat(Files.readString(target)).isEqualTo("renamed");
    }

    @Test
    void aLinkToTheTargetAtTheOldNameIsNotTheTargetItselfAndStays() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "renamed");
        Path from = Files.createSymbolicLink(dir.resolve("from"), target);

        assertThat(HardLinks.removeIfStillThere(from, target)).as("a link to the file is another file").isFalse();

        assertThat(Files.exists(from, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
