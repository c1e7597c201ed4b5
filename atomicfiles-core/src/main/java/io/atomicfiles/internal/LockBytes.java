package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.internal.LockSlots.Slot;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Steps 3 to 5 of taking a path's lock ({@link PathLocks}), for the first holder of its slot in
 * this JVM: the byte of the folder's lock file, across processes. The folder is made when it is
 * missing (step 3), the byte is taken at once or through a background wait ({@link LockWaits},
 * step 4), and the lock file is checked to be still the file at its path (step 5).
 */
final class LockBytes {
    private static final Log LOG = Log.of(LockBytes.class);
    /** Lock files found replaced right after locking them, in a row, before giving up. */
    private static final int REPLACED_ATTEMPTS = 16;

    private LockBytes() {
    }

    /** A byte of a lock file taken, with the lock file it is in. */
    record Taken(LockFiles.LockFile file, FileLock lock) {
    }

    /** The byte is held in this JVM under another slot than an unverified key's (see {@link PathLocks#acquireResolved}). */
    static final class HeldUnderAnotherKey extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HeldUnderAnotherKey() {
            super(null, null, false, false);
        }
    }

    /**
     * Steps 3 to 5 for the first holder of the slot in this JVM; on return the byte is held.
     *
     * @param checkNow false to leave step 5 to the caller ({@link PathLocks#acquireAll}); it is asked
     *     here all the same when folders were made for the lock file
     * @return the lock file when step 5 was left to the caller, else null
     */
    static LockFiles.LockFile lockAcrossProcesses(PathLocks.Entry entry, Slot slot, Path target, Duration timeout,
            long deadline, boolean checkNow) throws IOException, InterruptedException {
        // Made only when a folder is (rare): a list per write otherwise.
        List<Path> made = null;
        int folderAttempts = 0;
        for (int attempt = 0; attempt < REPLACED_ATTEMPTS; attempt++) {
            Taken taken;
            try {
                taken = take(entry, slot, target, timeout, deadline);
            } catch (FileSystemException folderMissing) {
                // No such folder; or "not a directory", where a file stands in the folder's path
                // (a transaction into reports/2024/ where reports is a file): making the folders
                // says which, naming the user's path. Anything else in an existing folder is final.
                if (!(folderMissing instanceof NoSuchFileException) && Stat.isDirectory(slot.folder())) {
                    throw folderMissing;
                }
                if (++folderAttempts > REPLACED_ATTEMPTS) {
                    throw AtomicWriteException.failed("lock", target, "create lock file in " + slot.folder(),
                            folderMissing);
                }
                // Step 3: the lock file needs its folder (removed again on release if left empty).
                if (made == null) {
                    made = new ArrayList<>();
                }
                for (Path folder : MadeFolders.make(target, slot.folder())) {
                    if (!made.contains(folder)) {
                        made.add(folder);
                    }
                }
                if (!LockSlots.slotOf(LockSlots.key(target, null), target, false).jvmKey().equals(slot.jvmKey())) {
                    throw new AtomicWriteException("cannot lock " + target + ": its folder " + slot.folder()
                            + " changed while it was being made", null, Targets.context("lock", target));
                }
                attempt--;
                continue;
            }
            if (!checkNow && made == null) {
                entry.file = taken.file();
                entry.osLock = taken.lock();
                entry.madeFolders = null;
                return taken.file();
            }
            boolean current;
            try {
                current = taken.file().stillAtItsPath();
            } catch (IOException | RuntimeException e) {
                letGo(taken);
                throw e;
            }
            if (current) {
                entry.file = taken.file();
                entry.osLock = taken.lock();
                entry.madeFolders = made == null || made.isEmpty() ? null : made;
                return null;
            }
            // Step 5: deleted or replaced since it was opened; a lock on it excludes nobody.
            LockFiles.markStale(taken.file());
            letGo(taken);
        }
        throw new AtomicWriteException("cannot lock " + target + ": the lock file " + slot.folder().resolve(LockFiles.NAME)
                + " kept being replaced", null, Targets.context("lock", target));
    }

    /** Step 4: the byte at once, or through a background wait (this caller's, or one left by an earlier caller). */
    private static Taken take(PathLocks.Entry entry, Slot slot, Path target, Duration timeout, long deadline)
            throws IOException, InterruptedException {
        CompletableFuture<Taken> waiting;
        synchronized (entry) {
            waiting = entry.pending;
            if (waiting != null) {
                entry.claimed = true;
            }
        }
        if (waiting == null) {
            LockFiles.LockFile file = LockFiles.use(slot.folder(), target, "lock");
            FileLock lock;
            try {
                lock = file.channel.tryLock(slot.offset(), 1, false);
            } catch (OverlappingFileLockException heldHereThroughAnotherPath) {
                if (slot.unverifiedKey()) {
                    LockFiles.done(file);
                    throw new HeldUnderAnotherKey();
                }
                lock = null;
            } catch (IOException | RuntimeException e) {
                LockFiles.done(file);
                throw AtomicWriteException.failed("lock", target, "lock " + file.path, e);
            }
            if (lock != null) {
                return new Taken(file, lock);
            }
            waiting = LockWaits.inBackground(entry, slot, file);
        }
        return LockWaits.forTurn(entry, slot, waiting, target, timeout, deadline);
    }

    /** Releases a byte and gives its lock file back. */
    static void letGo(Taken taken) {
        letGo(taken, null);
    }

    /** {@link #letGo(Taken)}, first removing the folders {@code made} for it if they were left empty. */
    static void letGo(Taken taken, List<Path> made) {
        try {
            taken.lock().release();
            if (made != null) {
                MadeFolders.removeIfUnused(taken.file(), made);
            }
        } catch (IOException | RuntimeException e) {
            // The lock may still be held: the lock file must be closed once unused, which drops it.
            LOG.get().warn("releasing a lock in {}: {}", taken.file(), e.toString());
            LockFiles.markStale(taken.file());
        } finally {
            LockFiles.done(taken.file());
        }
    }
}
