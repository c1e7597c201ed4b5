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
        assertThat(io.atomicfiles.testing.HeldLockFiles.in(dir)).as("nothing held after the set is let go").isEmpty();
        assertThat(slotsIn(dir)).as("no slot of this folder left in this JVM").isEmpty();
        assertThat(childWrites(files.get(2))).as("once the set is let go").isEqualTo("written");
        assertThat(Files.readString(files.get(2))).isEqualTo("child");
    }

    /**
     * A set taken again (a stale lock file in it) keeps the folders its first take made as its
     * own when letting that take go could not remove them (someone put a file there meanwhile):
     * a transaction records them, so that a rollback removes them once they are empty again.
     */
    @Test
    void theFoldersATakeMadeStayTheSetsWhenTheSetIsTakenAgain() throws Exception {
        Path old = dir.resolve("a").resolve("old.txt");
        Files.createDirectories(old.getParent());
        AtomicFiles.writeText(old, "old"); // leaves a's lock file open in this JVM, idle
        Path staleLockFile = old.resolveSibling(LockFiles.NAME);
        Files.delete(staleLockFile);
        Files.createFile(staleLockFile); // a's lock file replaced while this JVM holds the old one open
        Path made = dir.resolve("new");
        Path fresh = made.resolve("x.txt");
        LockSets.afterEachTakeForTests = () -> {
            try {
                if (Files.isDirectory(made) && !Files.exists(made.resolve("someone-else"))) {
                    Files.writeString(made.resolve("someone-else"), "here"); // the folder is in use now
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };

        List<PathLocks.Held> held = PathLocks.acquireAll(List.of(old, fresh), Duration.ofSeconds(10));
        LockSets.afterEachTakeForTests = null;
        try {
            PathLocks.Held freshLock = held.stream().filter(h -> !h.madeFolders().isEmpty()).findFirst().orElse(null);
            assertThat(freshLock).as("the lock of %s names the folder it made", fresh).isNotNull();
            assertThat(freshLock.madeFolders()).containsExactly(made);
            assertThat(childWrites(old)).as("a's lock is held in the lock file there now").isEqualTo("timed out");
        } finally {
            PathLocks.releaseAll(held);
        }
        assertThat(Files.readString(made.resolve("someone-else"))).isEqualTo("here");
        assertThat(slotsIn(dir)).isEmpty();
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

    /** This JVM's lock slots (held, waited for) of files under {@code folder}. */
    private static List<String> slotsIn(Path folder) throws java.io.IOException {
        String real = folder.toRealPath().toString();
        return PathLocks.ENTRIES.keySet().stream().filter(key -> key.contains(real)).toList();
    }

    private static String childWrites(Path file) throws Exception {
        try (ChildJvm child = ChildJvm.builder(LockSetWriterMain.class).quickStart().args(file.toString()).start()) {
            String line = child.readLine(STARTUP);
            assertThat(line).as("child: %s", child.stderr()).isNotNull();
            return line;
        }
    }
}
