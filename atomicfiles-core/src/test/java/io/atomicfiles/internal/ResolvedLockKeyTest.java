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

    /**
     * A folder remembered as real and then replaced by a link (renamed, a link put in its place):
     * a write through the remembered path and an update through the real path name one file and
     * must still exclude each other in one JVM: the write waits for the update, and no update is
     * lost.
     */
    @Test
    void aWriteThroughAReplacedRememberedFolderWaitsForAnUpdateOfTheRealPath() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("d"));
        Path viaLink = folder.resolve("f.json");
        io.atomicfiles.WriteOptions quiet = io.atomicfiles.WriteOptions.builder().showProgress(false)
                .lockTimeout(Duration.ofMinutes(2)).build();
        io.atomicfiles.AtomicFiles.writeText(viaLink, "{\"start\":true}", quiet); // d/ remembered as real
        Path real = Files.move(folder, dir.resolve("e"));
        Files.createSymbolicLink(folder, real.getFileName());
        Path viaReal = real.resolve("f.json");

        io.atomicfiles.AtomicFileOperations ops = new io.atomicfiles.AtomicFileOperations(
                io.atomicfiles.AuditTrail.inMemory(), quiet);
        java.util.concurrent.CountDownLatch updating = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread updater = new Thread(() -> {
            try {
                ops.atomicJsonUpdate(viaReal, data -> {
                    updating.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    data.put("updated", true);
                    return data;
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "updater");
        updater.start();
        updating.await();
        Thread writer = new Thread(() -> {
            try {
                io.atomicfiles.AtomicFiles.writeText(viaLink, "{\"written\":true}", quiet);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "writer");
        writer.start();
        // No clock: the writer either parks waiting for the lock, or (were the lock not shared)
        // finishes its write while the update holds the file.
        while (writer.getState() != Thread.State.WAITING && writer.getState() != Thread.State.TIMED_WAITING
                && writer.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        String duringTheUpdate = Files.readString(viaReal);
        release.countDown();
        updater.join();
        writer.join();
        assertThat(duringTheUpdate).as("the file while the update held it").isEqualTo("{\"start\":true}");
        assertThat(Files.readString(viaReal)).as("the write came after the update").isEqualTo("{\"written\":true}");
    }
}
