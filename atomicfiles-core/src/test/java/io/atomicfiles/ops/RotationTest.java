package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.testing.OtherUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code AtomicFiles.rotate}: naming, limits, compression, and finishing interrupted rotations. */
class RotationTest {
    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("app.log");
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    @Test
    void rotatesTheFileAndShiftsTheOlderOnesKeepingMaxFilesMinusOne() throws IOException {
        write("app.log", "v3");
        write("app.log.1", "v2");
        write("app.log.2", "v1");
        List<Path> rotated = AtomicFiles.rotate(log(), 3);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1", "v3", "app.log.2", "v2"));
        assertThat(rotated).containsExactly(dir.resolve("app.log.1"), dir.resolve("app.log.2"));
    }

    @Test
    void aRotatedFileAnotherUserPutThereIsNotTakenIntoTheLogsHistory() throws Exception {
        OtherUser mallory = OtherUser.getOrSkip("af-mallory");
        Path shared = OtherUser.stickyShared(dir.resolve("shared")); // like /tmp: 1777
        Files.writeString(shared.resolve("app.log"), "newest");
        Files.writeString(shared.resolve("app.log.1"), "older");
        // Planted by another user in a folder everyone may write: a forged generation.
        Files.writeString(shared.resolve("app.log.2"), "FORGED: root logged in from 6.6.6.6");
        mallory.chown(shared.resolve("app.log.2"));
        Map<String, String> before = RotatedFiles.contents(shared);
        assertThatThrownBy(() -> AtomicFiles.rotate(shared.resolve("app.log"), 4))
                .isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("app.log.2 is owned by af-mallory, not by the log's owner")
                .hasMessageContaining("Rotation stopped before touching it");
        // It used to become app.log.3, returned as one of the log's rotated files.
        assertThat(RotatedFiles.contents(shared)).isEqualTo(before);
    }

    @Test
    void aCompressedCopyAnotherUserPutBesideARotatedFileDoesNotReplaceIt() throws Exception {
        OtherUser mallory = OtherUser.getOrSkip("af-mallory");
        Path shared = OtherUser.stickyShared(dir.resolve("shared"));
        Files.writeString(shared.resolve("app.log"), "newest");
        Files.writeString(shared.resolve("app.log.1"), "a generation");
        // Read (0644) and copied by another user as app.log.1.gz: the same bytes, in their file.
        RotatedFiles.gzip(shared.resolve("app.log.1.gz"), "a generation");
        mallory.chown(shared.resolve("app.log.1.gz"));
        assertThatThrownBy(() -> AtomicFiles.rotate(shared.resolve("app.log"), 3, true))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("app.log.1.gz is owned by af-mallory");
        // The log's own app.log.1 used to be removed as "compressed already", and the other
        // user's copy shifted into the history, theirs to delete.
        assertThat(Files.readString(shared.resolve("app.log.1"))).isEqualTo("a generation");
        assertThat(Files.readString(shared.resolve("app.log"))).isEqualTo("newest");
    }

    @Test
    void inAFolderOnlyItsOwnerAndGroupMayWriteRotatedFilesOfOtherUsersAreRotated() throws Exception {
        OtherUser operator = OtherUser.getOrSkip("af-mallory");
        Path team = OtherUser.shared(dir.resolve("team"), "775");
        Files.writeString(team.resolve("app.log"), "newest");
        // Left by an operator of the group who rotated with gzip and could not give it the log's owner.
        RotatedFiles.gzip(team.resolve("app.log.1.gz"), "older");
        operator.chown(team.resolve("app.log.1.gz"));
        AtomicFiles.rotate(team.resolve("app.log"), 3, true);
        assertThat(RotatedFiles.contents(team)).isEqualTo(Map.of("app.log.1.gz", "newest", "app.log.2.gz", "older"));
    }

    @Test
    void aNameAtTheLimitWithOldRotatedFilesBeyondTheNewLimitStillRotates() throws IOException {
        String name = "a".repeat(246) + ".log"; // 250 bytes: NAME.1.gz is 255, NAME.10.gz would be 256
        Path log = dir.resolve(name);
        write(name, "newest");
        write(name + ".1", "older");
        write(name + ".10", "from when more were kept");
        AtomicFiles.rotate(log, 3, true);
        // NAME.10 used to be compressed before its removal, as NAME.10.gz: too long a name,
        // and every rotation failed there.
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of(name + ".1.gz", "newest", name + ".2.gz", "older"));
    }

    @Test
    void repeatedRotationKeepsTheNewestGenerations() throws IOException {
        for (int v = 1; v <= 6; v++) {
            write("app.log", "v" + v);
            AtomicFiles.rotate(log(), 4);
        }
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1", "v6", "app.log.2", "v5", "app.log.3", "v4"));
    }

    @Test
    void compressedRotationWritesGzipFilesOnly() throws IOException {
        for (int v = 1; v <= 4; v++) {
            write("app.log", "line of version " + v + "\n".repeat(v));
            AtomicFiles.rotate(log(), 3, true);
        }
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of(
                "app.log.1.gz", "line of version 4" + "\n".repeat(4),
                "app.log.2.gz", "line of version 3" + "\n".repeat(3)));
    }

    @Test
    void compressedFileKeepsTheModeOfTheLog() throws IOException {
        write("app.log", "secret");
        Files.setPosixFilePermissions(log(), PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.rotate(log(), 2, true);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("app.log.1.gz"))))
                .isEqualTo("rw-r-----");
    }

    @Test
    void maxFilesOneKeepsNoRotatedFileAndRemovesTheLog() throws IOException {
        write("app.log", "current");
        write("app.log.1", "old");
        write("app.log.2.gz", "older");
        assertThat(AtomicFiles.rotate(log(), 1)).isEmpty();
        assertThat(RotatedFiles.contents(dir)).isEmpty();
    }

    @Test
    void maxFilesTwoKeepsExactlyTheNewestRotatedFile() throws IOException {
        write("app.log", "a");
        AtomicFiles.rotate(log(), 2);
        write("app.log", "b");
        AtomicFiles.rotate(log(), 2);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1", "b"));
    }

    @Test
    void manyFilesKeepEveryGenerationUpToTheLimitAndACompressingRotationPacksThemAll() throws IOException {
        for (int v = 1; v <= 12; v++) {
            write("app.log", "v" + v);
            AtomicFiles.rotate(log(), 20);
        }
        Map<String, String> plain = RotatedFiles.contents(dir);
        assertThat(plain).hasSize(12);
        for (int k = 1; k <= 12; k++) {
            assertThat(plain).containsEntry("app.log." + k, "v" + (13 - k));
        }
        write("app.log", "v13");
        AtomicFiles.rotate(log(), 20, true);
        Map<String, String> packed = RotatedFiles.contents(dir);
        assertThat(packed).hasSize(13);
        for (int k = 1; k <= 13; k++) {
            assertThat(packed).containsEntry("app.log." + k + ".gz", "v" + (14 - k));
        }
    }

    @Test
    void aSmallerLimitRemovesTheRotatedFilesBeyondIt() throws IOException {
        write("app.log", "now");
        for (int k = 1; k <= 5; k++) {
            write("app.log." + k, "old" + k);
        }
        AtomicFiles.rotate(log(), 3);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1", "now", "app.log.2", "old1"));
    }

    @Test
    void theFirstFreeNumberAbsorbsTheShiftSoNothingIsOverwritten() throws IOException {
        write("app.log", "now");
        write("app.log.1", "old1");
        write("app.log.3", "old3");
        AtomicFiles.rotate(log(), 5);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(
                Map.of("app.log.1", "now", "app.log.2", "old1", "app.log.3", "old3"));
    }

    @Test
    void aMissingFileIsANoOp() throws IOException {
        write("app.log.1", "old");
        assertThat(AtomicFiles.rotate(log(), 3)).containsExactly(dir.resolve("app.log.1"));
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1", "old"));
        assertThat(AtomicFiles.rotate(dir.resolve("missing/app.log"), 3)).isEmpty();
    }

    @Test
    void maxFilesBelowOneIsRefusedAndTouchesNothing() throws IOException {
        write("app.log", "now");
        assertThatThrownBy(() -> AtomicFiles.rotate(log(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFiles");
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log", "now"));
    }

    @Test
    void aCompressionCutShortIsFinishedByTheNextRotation() throws IOException {
        // The state a crash leaves between renaming app.log.1.gz into place and removing app.log.1.
        write("app.log.1", "newest");
        RotatedFiles.gzip(dir.resolve("app.log.1.gz"), "newest");
        RotatedFiles.gzip(dir.resolve("app.log.2.gz"), "older");
        write(".app.log.1.gz.tmp-0123456789ab", "half a gzip");
        AtomicFiles.rotate(log(), 4, true);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1.gz", "newest", "app.log.2.gz", "older"));
    }

    @Test
    void aPlainRotatedFileIsCompressedByACompressingRotation() throws IOException {
        write("app.log", "now");
        write("app.log.1", "plain");
        AtomicFiles.rotate(log(), 4, true);
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1.gz", "now", "app.log.2.gz", "plain"));
    }

    @Test
    void twoDifferentVersionsOfOneNumberAreLeftForAPersonToResolve() throws IOException {
        write("app.log", "now");
        write("app.log.1", "one");
        RotatedFiles.gzip(dir.resolve("app.log.1.gz"), "another");
        assertThatThrownBy(() -> AtomicFiles.rotate(log(), 4, true)).isInstanceOf(AtomicWriteException.class)
                .hasMessageContaining("app.log.1").hasMessageContaining("different content");
        assertThat(RotatedFiles.contents(dir)).isEqualTo(
                Map.of("app.log", "now", "app.log.1", "one", "app.log.1.gz", "another"));
    }

    @Test
    void asyncTwinRotatesToo() throws Exception {
        write("app.log", "now");
        assertThat(AtomicFiles.rotateAsync(log(), 3, true).get()).containsExactly(dir.resolve("app.log.1.gz"));
        assertThat(RotatedFiles.contents(dir)).isEqualTo(Map.of("app.log.1.gz", "now"));
    }
}
