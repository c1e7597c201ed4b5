package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.behaviour.WriterChild;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.internal.StateDir;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.OtherUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers of one file exclude each other whatever their state folder or user (issue 8, item 3):
 * the lock of a file is in its own folder ({@code .atomicfiles.lock}), not in each writer's state
 * folder. Before, two state folders meant two lock files: 2 × 300 increments gave 354.
 */
class SharedLockTest {
    private static final int INCREMENTS = 300;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void twoProcessesWithDifferentStateFoldersIncrementToExactly600() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path counter = data.resolve("counter.json");
        Path otherState = dir.resolve("state-of-the-child");
        try (ChildJvm child = ChildJvm.builder(CounterChild.class).quickStart().withoutStateDirProperty()
                .env(StateDir.ENVIRONMENT, otherState.toString())
                .args(counter.toString(), "1", String.valueOf(INCREMENTS)).start()) {
            assertThat(child.readLine(READY_TIMEOUT)).as("child: %s", child.stderr()).isEqualTo("ready");
            child.go();
            ConcurrentJsonUpdateTest.increment(counter, 1, INCREMENTS);
            assertThat(child.awaitExit(Duration.ofMinutes(5))).as("child exit code: %s", child.stderr()).isZero();
        }
        assertThat(Codecs.readMap(counter, DataFormat.JSON)).containsEntry("counter", 2 * INCREMENTS);
        assertThat(Path.of(System.getProperty(StateDir.PROPERTY))).as("two state folders").isNotEqualTo(otherState);
    }

    @Test
    void twoUsersIncrementToExactly600() throws Exception {
        OtherUser bob = OtherUser.getOrSkip("af-lock-bob");
        Path shared = OtherUser.shared(dir.resolve("shared"), "0777");
        Path counter = shared.resolve("counter.json");
        Files.writeString(counter, "{\"counter\":0}");
        OtherUser.chmod(counter, "0666");
        Path bobState = OtherUser.shared(dir.resolve("state-of-bob"), "0700");
        bob.chown(bobState);
        try (ChildJvm child = ChildJvm.builder(CounterChild.class).asUser(bob, bobState).quickStart()
                .args(counter.toString(), "1", String.valueOf(INCREMENTS)).start()) {
            assertThat(child.readLine(READY_TIMEOUT)).as("child: %s", child.stderr()).isEqualTo("ready");
            child.go();
            ConcurrentJsonUpdateTest.increment(counter, 1, INCREMENTS);
            assertThat(child.awaitExit(Duration.ofMinutes(5))).as("child exit code: %s", child.stderr()).isZero();
        }
        assertThat(Codecs.readMap(counter, DataFormat.JSON)).containsEntry("counter", 2 * INCREMENTS);
    }

    /**
     * A lock file the writer cannot open for writing (another user's, owner-only): a clear error
     * naming the lock file, its folder and why, and the target as it was; never a write without
     * the lock.
     */
    @Test
    void aLockFileTheWriterCannotOpenIsAClearErrorAndTheFileStaysAsItWas() throws Exception {
        OtherUser bob = OtherUser.getOrSkip("af-lock-bob");
        Path shared = OtherUser.shared(dir.resolve("shared"), "0777");
        Path target = shared.resolve("app.conf");
        Files.writeString(target, "old");
        OtherUser.chmod(target, "0666");
        Path lockFile = shared.resolve(".atomicfiles.lock");
        Files.writeString(lockFile, "");
        OtherUser.chmod(lockFile, "0600");
        Path bobState = OtherUser.shared(dir.resolve("state-of-bob"), "0700");
        bob.chown(bobState);

        String line;
        try (ChildJvm child = ChildJvm.builder(WriterChild.class).asUser(bob, bobState).quickStart()
                .args("write", target.toString(), "new", "no-backup").start()) {
            line = child.readLine(READY_TIMEOUT);
            child.awaitExit(Duration.ofSeconds(60));
        }

        assertThat(line).startsWith("failed: ").contains(lockFile.toString()).contains(shared.toString())
                .contains("cannot be opened for writing");
        assertThat(target).hasContent("old");
        try (var names = Files.list(shared)) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("app.conf", ".atomicfiles.lock");
        }
    }

    /** The lock file a writer makes is writable by exactly those who may write the folder. */
    @Test
    void aNewLockFileTakesItsModeFromTheFolder() throws Exception {
        Path groupShared = OtherUser.shared(dir.resolve("group"), "0770");
        Path private_ = OtherUser.shared(dir.resolve("private"), "0700");
        Path everyone = OtherUser.shared(dir.resolve("everyone"), "1777");
        for (Path folder : new Path[] {groupShared, private_, everyone}) {
            io.atomicfiles.AtomicFiles.writeText(folder.resolve("f.txt"), "x");
        }
        assertThat(mode(groupShared.resolve(".atomicfiles.lock"))).isEqualTo("rw-rw----");
        assertThat(mode(private_.resolve(".atomicfiles.lock"))).isEqualTo("rw-------");
        assertThat(mode(everyone.resolve(".atomicfiles.lock"))).isEqualTo("rw-rw-rw-");
    }

    private static String mode(Path file) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
