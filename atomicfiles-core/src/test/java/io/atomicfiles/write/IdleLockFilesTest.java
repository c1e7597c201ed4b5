package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.HeldLockFiles;
import io.atomicfiles.testing.OpenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library keeps the lock files of recent writes open between writes (it saves opening and
 * closing one per write), but only a bounded number of them, and none stays locked.
 */
class IdleLockFilesTest {
    /** {@code LockFiles.MAX_IDLE}: the most lock files kept open while nobody holds them. */
    private static final int MAX_IDLE = 64;

    @TempDir
    Path dir;

    @Test
    void manyFilesWrittenLeaveABoundedNumberOfLockFilesOpenAndNoneLocked() throws Exception {
        assumeThat(OpenFiles.listable()).as("open files are listed from /proc/self/fd").isTrue();
        for (int i = 0; i < 3 * MAX_IDLE; i++) {
            AtomicFiles.writeText(dir.resolve("file-" + i + ".txt"), "content " + i);
        }
        Path locks = Path.of(System.getProperty("atomicfiles.stateDir")).resolve("locks");

        assertThat(OpenFiles.under(locks)).as("lock files this JVM keeps open").hasSizeBetween(1, MAX_IDLE);
        assertThat(HeldLockFiles.in(locks)).as("lock files still locked").isEmpty();
        for (int i = 0; i < 3 * MAX_IDLE; i++) {
            assertThat(Files.readString(dir.resolve("file-" + i + ".txt"))).isEqualTo("content " + i);
        }
    }
}
