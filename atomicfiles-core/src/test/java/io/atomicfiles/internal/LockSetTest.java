package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PathLocks#acquireAll} ({@link LockSets}) asks whether each lock file is still at its path once, after the
 * whole set is taken, instead of after each byte. A lock file replaced while the set is taken
 * (a cleanup job deleted it, another process made a new one) must still be found: a byte of the
 * deleted file excludes nobody. Another process is the judge: while the set is held, it must not
 * get the lock of any file of the set.
 */
class LockSetTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterEach
    void noHook() {
        LockSets.afterEachTakeForTests = null;
    }

    @Test
    void aLockFileReplacedWhileTheSetIsTakenIsFoundAndTheSetIsTakenInTheNewOne() throws Exception {
        List<Path> files = List.of(dir.resolve("a.txt"), dir.resolve("b.txt"), dir.resolve("c.txt"));
        for (Path file : files) {
            AtomicFiles.writeText(file, "old");
        }
        Path lockFile = dir.resolve(LockFiles.NAME);
        Object before = Files.readAttributes(lockFile, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        AtomicInteger takes = new AtomicInteger();
        LockSets.afterEachTakeForTests = () -> {
            if (takes.incrementAndGet() == 1) {
                try {
                    // After the first byte: the lock file is deleted and a new one made in its place.
                    Files.delete(lockFile);
                    Files.createFile(lockFile);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };

        List<PathLocks.Held> held = PathLocks.acquireAll(files, Duration.ofSeconds(10));
        LockSets.afterEachTakeForTests = null;
        try {
            assertThat(Files.readAttributes(lockFile, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                    .as("the hook replaced the lock file").isNotEqualTo(before);
            for (Path file : files) {
                assertThat(childWrites(file)).as("another process writing %s while the set is held", file)
                        .isEqualTo("timed out");
                assertThat(Files.readString(file)).isEqualTo("old");
            }
        } finally {
            PathLocks.releaseAll(held);
        }
        assertThat(childWrites(files.get(2))).as("once the set is let go").isEqualTo("written");
        assertThat(Files.readString(files.get(2))).isEqualTo("child");
    }

    @Test
    void aSetWhoseLockFileStaysExcludesOtherProcessesUntilLetGo() throws Exception {
        List<Path> files = List.of(dir.resolve("a.txt"), dir.resolve("b.txt"));
        for (Path file : files) {
            AtomicFiles.writeText(file, "old");
        }
        List<PathLocks.Held> held = PathLocks.acquireAll(files, Duration.ofSeconds(10));
        try {
            assertThat(childWrites(files.get(0))).isEqualTo("timed out");
        } finally {
            PathLocks.releaseAll(held);
        }
        assertThat(childWrites(files.get(0))).isEqualTo("written");
    }

    private static String childWrites(Path file) throws Exception {
        try (ChildJvm child = ChildJvm.builder(LockSetWriterMain.class).quickStart().args(file.toString()).start()) {
            String line = child.readLine(STARTUP);
            assertThat(line).as("child: %s", child.stderr()).isNotNull();
            return line;
        }
    }
}
