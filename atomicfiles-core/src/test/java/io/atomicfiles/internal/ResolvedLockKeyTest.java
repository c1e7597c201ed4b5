package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write locks the path its folder walk resolved without {@code realpath(3)} again
 * ({@link PathLocks#acquireResolved}); when that folder is not real any more (a remembered folder
 * replaced by a link since), a lock this thread already holds under the real path's key is still
 * found, instead of the write waiting for its own thread until its lock timeout.
 */
class ResolvedLockKeyTest {
    /** Far below the default 60 s: a write that waited for itself fails the test quickly. */
    private static final Duration QUICK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @AfterEach
    void forget() {
        Targets.forgetVerifiedFolders();
        PathLocks.closeIdleLockFiles();
    }

    @Test
    void aStaleKeyFindsTheLockThisThreadHoldsUnderTheRealKey() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        try (PathLocks.Held outer = PathLocks.acquire(link.resolve("f"), QUICK)) {
            // The caller claims link/ is a real folder; it is not (as a remembered folder replaced
            // by a link would be): the same byte of real/.atomicfiles.lock, under another key.
            try (PathLocks.Held inner = PathLocks.acquireResolved(link.resolve("f"), QUICK)) {
                assertThat(PathLocks.heldAcrossProcesses()).hasSize(1);
            }
            assertThat(PathLocks.heldAcrossProcesses()).hasSize(1);
        }
        assertThat(PathLocks.heldAcrossProcesses()).isEmpty();
    }
}
