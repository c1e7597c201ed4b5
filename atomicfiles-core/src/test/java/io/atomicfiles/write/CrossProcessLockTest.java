package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.HeldLockFiles;
import io.atomicfiles.testing.OpenFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for another process's lock: the wait ends at the lock timeout (or when the waiting
 * thread is interrupted) with nothing written and nothing left open, and the lock is taken as
 * soon as the other process lets go (here: dies).
 */
class CrossProcessLockTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void waitEndsAtTheLockTimeoutAndTheLockIsTakenOnceTheHolderIsGone() throws Exception {
        Path target = dir.resolve("held.txt");
        Files.writeString(target, "old");
        try (ChildJvm holder = ChildJvm.builder(LockHolderMain.class).quickStart().args(target.toString()).start()) {
            assertThat(holder.readLine(STARTUP)).as("holder: %s", holder.stderr()).isEqualTo("holding");
            List<String> before = names();
            WriteOptions impatient = WriteOptions.builder().lockTimeout(Duration.ofMillis(300)).build();

            Throwable failure = catchThrowable(() -> AtomicFiles.writeText(target, "new", impatient));

            assertThat(failure).isInstanceOf(LockTimeoutException.class);
            assertNothingWrittenNothingOpen(target, before);
            // Again: the first timeout left this JVM's lock state usable.
            assertThat(catchThrowable(() -> AtomicFiles.writeText(target, "new", impatient)))
                    .isInstanceOf(LockTimeoutException.class);
            assertNothingWrittenNothingOpen(target, before);

            holder.kill();
            AtomicFiles.writeText(target, "new", impatient.toBuilder().lockTimeout(STARTUP).build());
            assertThat(Files.readString(target)).isEqualTo("new");
        }
    }

    /**
     * This JVM keeps idle lock files open between writes. If one is deleted meanwhile (someone
     * cleaned the folder), another process creates a new file under the same name, and a lock on
     * the deleted one would exclude nobody: the next write must lock the file that is there now.
     */
    @Test
    void aLockFileDeletedBetweenWritesIsNotTrusted() throws Exception {
        Path target = dir.resolve("held.txt");
        AtomicFiles.writeText(target, "old");
        Path lockFile = dir.resolve(".atomicfiles.lock");
        assertThat(lockFile).as("the lock file of the first write").exists();
        Files.delete(lockFile);
        try (ChildJvm holder = ChildJvm.builder(LockHolderMain.class).quickStart().args(target.toString()).start()) {
            assertThat(holder.readLine(STARTUP)).as("holder: %s", holder.stderr()).isEqualTo("holding");
            WriteOptions impatient = WriteOptions.builder().lockTimeout(Duration.ofMillis(300)).build();

            Throwable failure = catchThrowable(() -> AtomicFiles.writeText(target, "new", impatient));

            assertThat(failure).as("the other process holds the lock file that is there now")
                    .isInstanceOf(LockTimeoutException.class);
            assertThat(Files.readString(target)).isEqualTo("old");
        }
    }

    @Test
    void interruptingTheWaitingThreadEndsTheWait() throws Exception {
        Path target = dir.resolve("held.txt");
        Files.writeString(target, "old");
        try (ChildJvm holder = ChildJvm.builder(LockHolderMain.class).quickStart().args(target.toString()).start()) {
            assertThat(holder.readLine(STARTUP)).as("holder: %s", holder.stderr()).isEqualTo("holding");
            List<String> before = names();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                failure.set(catchThrowable(() -> AtomicFiles.writeText(target, "new")));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            waiter.start();
            while (!waitsForTheLock(waiter)) {
                Thread.sleep(10);
            }
            waiter.interrupt();
            waiter.join();

            assertThat(failure.get()).isInstanceOf(AtomicWriteException.class)
                    .isNotInstanceOf(LockTimeoutException.class);
            assertThat(((AtomicWriteException) failure.get()).getOperationContext())
                    .containsEntry("step", "wait for lock");
            assertThat(stillInterrupted.get()).as("the interrupt is kept for the caller").isTrue();
            assertNothingWrittenNothingOpen(target, before);
        }
    }

    /**
     * Whether {@code thread} is inside the lock wait (its stack passes through LockWaits.forTurn:
     * it waits there for the background thread that waits in the blocking lock call).
     */
    private static boolean waitsForTheLock(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().endsWith(".LockWaits") && frame.getMethodName().equals("forTurn")) {
                return true;
            }
        }
        return false;
    }

    /** The target is old, the folder holds what it held while the holder waited, nothing is open here. */
    private void assertNothingWrittenNothingOpen(Path target, List<String> before) throws IOException {
        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("old");
        assertThat(names()).as("no temp file of the failed write").isEqualTo(before);
        assertThat(OpenFiles.under(dir)).as("open files in the folder").isEmpty();
        assertThat(HeldLockFiles.any()).as("locks this JVM still holds after giving up").isEmpty();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
