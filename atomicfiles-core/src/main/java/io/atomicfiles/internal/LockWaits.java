package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Step 4 of {@link PathLocks} when the byte is taken: a background thread waits in the blocking
 * lock call ({@code F_SETLKW}: the kernel wakes it the moment the holder lets go, so it gets its
 * turn even against a process that rewrites the file in a loop) while the caller waits for that
 * thread up to its deadline. A caller that times out or is interrupted leaves the wait running,
 * unclaimed: the next caller of the slot in this JVM takes it over, or the byte is let go the
 * moment it comes. Ending the wait by closing the channel would drop every other thread's locks
 * in that lock file (the fcntl trap), so it is never ended that way.
 *
 * <p>The slot's {@link PathLocks.Entry} holds the wait ({@code pending}) and whether a caller
 * waits for it ({@code claimed}), both guarded by the entry's monitor; the wait counts as one
 * user of the entry, so the entry lives as long as it does.
 */
final class LockWaits {
    private LockWaits() {
    }

    /**
     * Starts a background thread that waits in the blocking lock call and hands the byte to
     * whoever claims it then, or lets it go at once when nobody does.
     */
    static CompletableFuture<LockBytes.Taken> inBackground(PathLocks.Entry entry, LockSlots.Slot slot,
            LockFiles.LockFile file) {
        CompletableFuture<LockBytes.Taken> waiting = new CompletableFuture<>();
        synchronized (entry) {
            entry.pending = waiting;
            entry.claimed = true;
        }
        // The wait keeps the slot's entry (and so its pending wait) alive.
        PathLocks.ENTRIES.computeIfPresent(slot.jvmKey(), (k, e) -> {
            e.users++;
            return e;
        });
        LibraryThreads.background().execute(() -> {
            LockBytes.Taken taken = null;
            Throwable failure = null;
            try {
                taken = new LockBytes.Taken(file, blockingLock(file.channel, slot.offset()));
            } catch (Throwable e) {
                failure = e;
            }
            boolean unclaimed;
            synchronized (entry) {
                unclaimed = !entry.claimed;
                if (unclaimed) {
                    entry.pending = null;
                }
                if (failure == null) {
                    waiting.complete(taken);
                } else {
                    waiting.completeExceptionally(failure);
                }
            }
            if (taken == null) {
                // Failed: nobody gets a lock, so the lock file's use ends here, claimed or not.
                LockFiles.done(file);
            } else if (unclaimed) {
                LockBytes.letGo(taken);
            }
            if (unclaimed) {
                PathLocks.forget(slot.jvmKey());
            }
        });
        return waiting;
    }

    private static FileLock blockingLock(FileChannel channel, long offset) throws IOException, InterruptedException {
        while (true) {
            try {
                return channel.lock(offset, 1, false);
            } catch (OverlappingFileLockException heldHereThroughAnotherPath) {
                // The same lock file reached through two real paths (a bind mount): the JDK
                // refuses the overlap; wait for this JVM's other holder.
                Thread.sleep(5);
            }
        }
    }

    /** Waits for a background wait until the deadline; on timeout or interrupt leaves it (unclaimed). */
    static LockBytes.Taken forTurn(PathLocks.Entry entry, LockSlots.Slot slot,
            CompletableFuture<LockBytes.Taken> waiting, Path target,
            Duration timeout, long deadline) throws IOException, InterruptedException {
        LockBytes.Taken taken;
        try {
            taken = waiting.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(entry, slot, waiting);
            throw new LockTimeoutException(target, timeout);
        } catch (InterruptedException e) {
            abandon(entry, slot, waiting);
            throw e;
        } catch (ExecutionException e) {
            synchronized (entry) {
                entry.pending = null;
                entry.claimed = false;
            }
            PathLocks.forget(slot.jvmKey());
            throw AtomicWriteException.failed("lock", target, "wait for lock", e.getCause());
        }
        synchronized (entry) {
            entry.pending = null;
            entry.claimed = false;
        }
        PathLocks.forget(slot.jvmKey());
        return taken;
    }

    /** A caller gives up waiting: the wait goes on unclaimed, or, if it just ended, its lock is let go. */
    private static void abandon(PathLocks.Entry entry, LockSlots.Slot slot,
            CompletableFuture<LockBytes.Taken> waiting) {
        synchronized (entry) {
            entry.claimed = false;
            if (!waiting.isDone()) {
                return;
            }
            entry.pending = null;
        }
        LockBytes.Taken taken = waiting.getNow(null);
        if (taken != null) {
            LockBytes.letGo(taken);
        }
        PathLocks.forget(slot.jvmKey());
    }
}
