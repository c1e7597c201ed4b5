package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.RetryPolicy;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.behaviour.WriterChild;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.FaultyFileSystem;
import io.atomicfiles.testing.OtherUser;
import io.atomicfiles.testing.TmpfsMount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A move across filesystems is a copy, then the deletion of the source: the file must be in one
 * place at least after a power cut at any moment, and a failure to delete the source must not
 * cost the target's backup. The source lives on a tmpfs mounted for the test, the target on the
 * test's own filesystem.
 */
class MoveAcrossFilesystemsTest {
    private static final String SOURCE_NAME = "moved-source.bin";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void theCopyIsForcedWithItsFolderBeforeTheSourceIsDeletedWhateverTheDurability(Durability durability,
            @TempDir Path elsewhere) throws Exception {
        try (TmpfsMount other = TmpfsMount.mountOrSkip(elsewhere.resolve("tmpfs"), "size=1m")) {
            Path source = other.folder().resolve(SOURCE_NAME);
            Files.writeString(source, "moved");
            Path target = dir.resolve("target.bin");
            FaultyFileSystem faulty = FaultyFileSystem.overDefault();
            List<FaultyFileSystem.Change> changes = new ArrayList<>();
            faulty.onChange(change -> {
                synchronized (changes) {
                    changes.add(change);
                }
            });
            AtomicFiles.move(faulty.path(source), faulty.path(target),
                    WriteOptions.builder().durability(durability).build());
            int deleted = indexOf(changes, "delete", source);
            assertThat(deleted).as("the source was deleted").isNotNegative();
            List<FaultyFileSystem.Change> before = changes.subList(0, deleted);
            // Without both, a power cut could keep the source's deletion and lose the copy (its
            // content, or its name in the folder): the file in neither place.
            assertThat(before).as("the target's folder forced before the source is deleted (%s)", durability)
                    .anyMatch(c -> c.kind().equals("force") && c.path().equals(dir));
            assertThat(before).as("the copy's content forced before the source is deleted (%s)", durability)
                    .anyMatch(c -> c.kind().equals("force") && dir.equals(c.path().getParent()));
            assertThat(Files.readString(target)).isEqualTo("moved");
            assertThat(source).doesNotExist();
        }
    }

    @Test
    void intoAFolderThatCannotBeReadAMoveWithoutFolderDurabilityStillMoves(@TempDir Path elsewhere) throws Exception {
        OtherUser bob = OtherUser.getOrSkip("af-wp-bob");
        try (TmpfsMount other = TmpfsMount.mountOrSkip(elsewhere.resolve("tmpfs"), "size=1m")) {
            OtherUser.shared(other.folder(), "1777");
            Path source = other.folder().resolve(SOURCE_NAME);
            Files.writeString(source, "dropped");
            bob.chown(source);
            // A drop folder: bob may create files in it and pass through it, not read it, so it
            // cannot be opened to be forced.
            Path drop = OtherUser.shared(dir.resolve("drop"), "0333");
            Path state = OtherUser.shared(dir.resolve("state-of-bob"), "0700");
            bob.chown(state);
            Path target = drop.resolve("dropped.bin");
            try (ChildJvm child = ChildJvm.builder(WriterChild.class).asUser(bob, state).quickStart()
                    .args("move", source.toString(), target.toString(), "FILE").start()) {
                // Forcing the copy's folder as for FULL durability made this fail, the file in both places.
                assertThat(child.readLine(Duration.ofSeconds(120))).isEqualTo("moved");
                child.awaitExit(Duration.ofSeconds(60));
            }
            assertThat(Files.readString(target)).isEqualTo("dropped");
            assertThat(source).doesNotExist();
        }
    }

    @Test
    void aSourceThatCannotBeDeletedIsNotMovedAgainOverTheBackup(@TempDir Path elsewhere) throws Exception {
        try (TmpfsMount other = TmpfsMount.mountOrSkip(elsewhere.resolve("tmpfs"), "size=1m")) {
            Path source = other.folder().resolve(SOURCE_NAME);
            Files.writeString(source, "new");
            Path target = dir.resolve("target.bin");
            Files.writeString(target, "older");
            AtomicFiles.writeText(target, "old");
            Path backup = dir.resolve("target.bin.backup");
            assertThat(Files.readString(backup)).isEqualTo("older");
            FaultyFileSystem faulty = FaultyFileSystem.overDefault();
            faulty.beforeCall("delete " + SOURCE_NAME, () -> {
                throw new IOException("the source cannot be deleted (simulated)");
            });
            WriteOptions retrying = WriteOptions.builder().retryPolicy(RetryPolicy.builder().maxAttempts(3)
                    .backoff(Duration.ZERO, Duration.ZERO).retryOn(IOException.class).build()).build();
            assertThatThrownBy(() -> AtomicFiles.move(faulty.path(source), faulty.path(target), retrying))
                    .isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("delete source after copying it to")
                    .hasMessageContaining("the file is now in both places");
            // Moved once: the backup holds what the move replaced. A second attempt used to copy
            // again and replace the backup with the first copy, so "old" was nowhere any more.
            assertThat(Files.readString(target)).isEqualTo("new");
            assertThat(Files.readString(backup)).isEqualTo("old");
            assertThat(Files.readString(source)).isEqualTo("new");
        }
    }

    private static int indexOf(List<FaultyFileSystem.Change> changes, String kind, Path path) {
        synchronized (changes) {
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i).kind().equals(kind) && changes.get(i).path().equals(path)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
