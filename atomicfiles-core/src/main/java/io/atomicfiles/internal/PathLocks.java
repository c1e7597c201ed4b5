package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.internal.LockSlots.Slot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer per path at a time: within the JVM and across processes, whatever their user or
 * state folder.
 *
 * <p>Inside the JVM a {@link ReentrantLock} per slot (below) serialises threads, and lets a
 * read-modify-write hold the lock while its write takes it again. Across processes an OS
 * byte-range lock ({@code fcntl(F_SETLK)} through {@link FileChannel#tryLock(long, long, boolean)})
 * does the same: every folder written into has one lock file, {@code <folder>/.atomicfiles.lock}
 * ({@link LockFiles}), and the lock of a file is one byte of it, at an offset derived from the
 * file's name (62 bits of its SHA-256). Two names that share an offset only serialise each other.
 * Everyone who may write the folder can open its lock file ({@link LockFileModes}), so writers of
 * one file exclude each other whoever they run as; a lock file that cannot be opened is an error,
 * never a write without the lock.
 *
 * <p>Steps of taking the lock of a path, each with the failure it prevents:
 * <ol>
 *   <li>The name {@code .atomicfiles.lock} is refused: writing it would open and close the lock
 *       file, and closing any descriptor of a file drops this process's locks on it.</li>
 *   <li>The JVM lock of the slot (folder, offset): one thread per slot, so the OS lock is never
 *       asked twice by this process (the JDK would refuse the overlap; the kernel would merge it).</li>
 *   <li>The folder's lock file, made with the folder when the folder is missing (a lock file
 *       needs its folder; a single write makes its folders before it locks anyway).</li>
 *   <li>The byte's lock, at once when free; else a background thread waits in the blocking call
 *       ({@code F_SETLKW}: the kernel wakes it the moment the holder lets go, so it gets its turn
 *       even against a process that rewrites the file in a loop) while the caller waits for that
 *       thread up to its timeout. A timed-out (or interrupted) caller leaves the thread waiting;
 *       the next caller of this slot in the JVM takes over its wait, or the lock is let go the
 *       moment it comes. Ending the wait by closing the channel, as one could with a lock file of
 *       one's own, would drop every other thread's locks in that file.</li>
 *   <li>The lock file must still be the file at its path (same device and inode) after it is
 *       locked: one deleted or replaced meanwhile excludes nobody, so the lock is let go and the
 *       file that is there now is locked instead.</li>
 * </ol>
 *
 * <p>Steps 3 to 5, the byte across processes, are in {@link LockBytes}. {@link #acquireAll} asks
 * step 5 once per lock file of the set, after its last byte is taken, instead of once per byte
 * ({@link LockSets}, which says why that is the same check).
 *
 * <p>Paths on a filesystem other than the default one (Jimfs, in tests) live inside this JVM,
 * so the JVM lock alone serialises them.
 */
public final class PathLocks {
    static final ConcurrentHashMap<String, Entry> ENTRIES = new ConcurrentHashMap<>();

    private PathLocks() {
    }

    /** A held lock; {@link #close()} releases it. */
    public static final class Held implements AutoCloseable {
        private final String key;
        private final Entry entry;
        /**
         * The lock file whose byte this call took without step 5 ({@link #acquireAll} checks it
         * once for the whole set); null when checked at once, or held already by this thread.
         */
        private final LockFiles.LockFile unchecked;
        private boolean released;

        private Held(String key, Entry entry, LockFiles.LockFile unchecked) {
            this.key = key;
            this.entry = entry;
            this.unchecked = unchecked;
        }

        LockFiles.LockFile unchecked() {
            return unchecked;
        }

        /**
         * The folders that taking this lock made (a lock file needs its folder), deepest first;
         * empty when none. A transaction records them in its intent as folders it makes, so that
         * a recovery that rolls it back after a crash removes them as well.
         */
        public List<Path> madeFolders() {
            List<Path> made = entry.madeFolders;
            return made == null ? List.of() : List.copyOf(made);
        }

        /**
         * For a set let go and taken again ({@link LockSets}, step 3): the folders that this
         * path's first take made, and that are still there, are this lock's as well (removed on
         * release if left empty, and recorded by a transaction), unless the second take made
         * some itself. Letting the first take go removed them only if nobody else used them.
         */
        void alsoMade(List<Path> folders) throws IOException {
            if (folders.isEmpty() || entry.osLock == null || entry.madeFolders != null
                    || !entry.jvmLock.isHeldByCurrentThread() || entry.jvmLock.getHoldCount() != 1) {
                return;
            }
            List<Path> still = new ArrayList<>();
            for (Path folder : folders) {
                if (Stat.isDirectory(folder)) {
                    still.add(folder);
                }
            }
            entry.madeFolders = still.isEmpty() ? null : still;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            release(key, entry);
        }
    }

    /** Shared state of one slot's lock in this JVM. */
    static final class Entry {
        final ReentrantLock jvmLock = new ReentrantLock();
        /** Holders, waiters and a background wait each count one. Changed only in {@link #ENTRIES}' compute. */
        int users;
        /** The OS lock while held. Written under {@link #jvmLock}; volatile for {@link #heldAcrossProcesses}. */
        volatile LockFiles.LockFile file;
        volatile FileLock osLock;
        /** Folders made to hold the lock file, deepest first; removed on release if left empty. Guarded by {@link #jvmLock}. */
        List<Path> madeFolders;
        /** A background wait for the OS lock, and whether a caller waits for it. Guarded by this. */
        CompletableFuture<LockBytes.Taken> pending;
        boolean claimed;
    }

    /**
     * Takes the lock of {@code target} (an absolute path), waiting up to {@code timeout}. A
     * missing folder of the path is made (its lock file lives in it).
     *
     * @throws LockTimeoutException when another writer held it for longer
     */
    public static Held acquire(Path target, Duration timeout) throws IOException {
        String key = key(target);
        return acquire(LockSlots.slotOf(key, target, false), target, timeout, true);
    }

    /**
     * {@link #acquire}, for a path whose folder the caller has resolved to its real path already
     * (free of links, {@code .} and {@code ..}), as {@link Targets#lock} does: its key is the path
     * itself, without {@code realpath(3)} of the folder (one {@code readlink} per component, on
     * every write).
     *
     * <p>If the folder is not real any more (a folder of the path replaced by a link since the
     * caller resolved it; {@link Targets} remembers verified folders), nothing is lost: the lock
     * file is still opened by the path the write itself uses, so the kernel resolves both the same
     * way and other processes are excluded as ever, and {@link LockFiles} keeps one channel per
     * inode, so another slot of this JVM holding the same byte shows as the JDK's overlap. That
     * overlap, met at the first try, makes this call start over with the real path's key: the
     * slot of a thread that holds the lock already under that key (a read-modify-write whose
     * write takes it again) is then found, instead of a wait for itself.
     */
    public static Held acquireResolved(Path realTarget, Duration timeout) throws IOException {
        Path absolute = realTarget.toAbsolutePath();
        try {
            return acquire(LockSlots.resolvedSlot(absolute), absolute, timeout, true);
        } catch (LockBytes.HeldUnderAnotherKey e) {
            return acquire(absolute, timeout);
        }
    }

    /**
     * @param checkNow whether step 5 is asked right after the byte is taken; false only for
     *     {@link #acquireAll}, which asks it once per lock file of the set
     */
    static Held acquire(Slot slot, Path target, Duration timeout, boolean checkNow) throws IOException {
        if (namesTheLockFile(target)) {
            // Step 1.
            throw new AtomicWriteException(target + ": " + LockFiles.NAME + " is the lock file of its folder,"
                    + " which atomicfiles uses to exclude other writers; it is never written, copied or moved",
                    null, Targets.context("lock", target));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Entry entry = ENTRIES.compute(slot.jvmKey(), (k, existing) -> {
            Entry e = existing == null ? new Entry() : existing;
            e.users++;
            return e;
        });
        boolean locked = false;
        try {
            // Step 2.
            if (!entry.jvmLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException(target, timeout);
            }
            locked = true;
            LockFiles.LockFile unchecked = null;
            if (entry.jvmLock.getHoldCount() == 1 && slot.folder() != null) {
                unchecked = LockBytes.lockAcrossProcesses(entry, slot, target, timeout, deadline, checkNow);
            }
            return new Held(slot.jvmKey(), entry, unchecked);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (locked) {
                entry.jvmLock.unlock();
            }
            forget(slot.jvmKey());
            throw AtomicWriteException.failed("lock", target, "wait for lock", e);
        } catch (IOException | RuntimeException e) {
            if (locked) {
                entry.jvmLock.unlock();
            }
            forget(slot.jvmKey());
            throw e;
        }
    }

    /** {@link LockFiles#NAME} as a path of the default filesystem, for {@link #namesTheLockFile}. */
    private static final Path LOCK_FILE_NAME = Path.of(LockFiles.NAME);

    /**
     * Whether the last name of {@code target} is {@link LockFiles#NAME}. On the default filesystem
     * by {@link Path#endsWith(Path)}, which compares the name's bytes in place: asked on every
     * write, and {@code getFileName().toString()} would make a path and a string each time.
     */
    private static boolean namesTheLockFile(Path target) {
        if (target.getFileSystem() == LOCK_FILE_NAME.getFileSystem()) {
            return target.getNameCount() > 0 && target.endsWith(LOCK_FILE_NAME);
        }
        Path name = target.getFileName();
        return name != null && LockFiles.NAME.equals(name.toString());
    }

    /**
     * Takes the locks of several paths in one fixed order (by slot: folder, then offset), so
     * that two callers locking overlapping sets, in this process or another, can never deadlock.
     * On failure none is held.
     */
    public static List<Held> acquireAll(List<Path> targets, Duration timeout) throws IOException {
        return LockSets.acquireAll(targets, timeout);
    }

    /**
     * The identity of a path's lock: the real path of its folder plus its name, so that two
     * spellings of one file (through a linked folder, with "..") share a lock ({@link LockSlots}).
     */
    public static String key(Path target) throws IOException {
        return LockSlots.key(target, null);
    }

    /**
     * {@link #key(Path)}, reusing the real paths of folders already resolved in {@code
     * realFolders} (and adding those it resolves): for many files of one folder at one moment.
     */
    public static String key(Path target, java.util.Map<Path, Path> realFolders) throws IOException {
        return LockSlots.key(target, realFolders);
    }

    /** Releases locks in reverse order of taking. */
    public static void releaseAll(List<Held> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).close();
        }
    }

    private static void release(String key, Entry entry) {
        try {
            if (entry.jvmLock.getHoldCount() == 1 && entry.osLock != null) {
                LockBytes.Taken taken = new LockBytes.Taken(entry.file, entry.osLock);
                List<Path> made = entry.madeFolders;
                entry.osLock = null;
                entry.file = null;
                entry.madeFolders = null;
                LockBytes.letGo(taken, made);
            }
        } finally {
            entry.jvmLock.unlock();
            forget(key);
        }
    }

    static void forget(String key) {
        ENTRIES.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    /**
     * The OS locks this JVM holds now, each as {@code <lock file>@<offset>}: for tests and
     * diagnostics (a background wait that holds nothing yet is not listed).
     */
    public static List<String> heldAcrossProcesses() {
        List<String> held = new ArrayList<>();
        for (Entry entry : ENTRIES.values()) {
            FileLock lock = entry.osLock;
            LockFiles.LockFile file = entry.file;
            if (lock != null && file != null && lock.isValid()) {
                held.add(file.path + "@" + lock.position());
            }
        }
        return held;
    }

    /**
     * Closes the lock files nobody uses now (they are kept open a moment after use, and would
     * keep a filesystem busy): before unmounting a filesystem this JVM wrote to.
     */
    public static void closeIdleLockFiles() {
        LockFiles.closeIdle(0);
    }

    /** Whether this thread holds some path's lock (a look at the slots in use, no file-system call). */
    public static boolean currentThreadHoldsAny() {
        for (Entry entry : ENTRIES.values()) {
            if (entry.jvmLock.isHeldByCurrentThread()) {
                return true;
            }
        }
        return false;
    }

    /** Whether this thread holds the lock of {@code target}: for assertions in the protocol. */
    public static boolean isHeldByCurrentThread(Path target) throws IOException {
        Entry entry = ENTRIES.get(LockSlots.slotOf(key(target), target, false).jvmKey());
        return entry != null && entry.jvmLock.isHeldByCurrentThread();
    }
}
