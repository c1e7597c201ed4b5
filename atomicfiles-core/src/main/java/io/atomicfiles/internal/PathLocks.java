package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.LockTimeoutException;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer per path at a time: within the JVM and across processes.
 *
 * <p>Inside the JVM a {@link ReentrantLock} per normalised path serialises threads (and lets a
 * read-modify-write hold the lock while its write takes it again). Across processes an OS
 * file lock ({@code fcntl}/{@code LockFileEx} through {@link FileChannel#lock()}) on a
 * lock file in the state folder does the same. Lock files never litter the user's folders:
 * they are named by a hash of the target's real path, {@code <state>/locks/<hash>.lock}. They
 * are never deleted: deleting a lock file while another process waits on it would let two
 * processes hold "the" lock at once. Between uses they stay open ({@link LockFiles}).
 *
 * <p>Paths on a filesystem other than the default one (Jimfs, in tests) live inside this JVM,
 * so the JVM lock alone serialises them.
 */
public final class PathLocks {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PathLocks.class);
    private static final ConcurrentHashMap<String, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final long MAX_POLL_MILLIS = 50;
    /** Lock file names of recent keys (a SHA-256 each): a path written again needs no new hash. */
    private static final ConcurrentHashMap<String, String> LOCK_FILE_NAMES = new ConcurrentHashMap<>();
    private static final int MAX_NAMES = 1024;
    /**
     * Whether closing a channel ends a thread blocked in its lock call: on POSIX systems the JDK
     * signals such a thread; on Windows it does not, so there the wait polls.
     */
    private static final boolean CLOSE_ENDS_BLOCKED_LOCK =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private PathLocks() {
    }

    /** A held lock; {@link #close()} releases it. */
    public static final class Held implements AutoCloseable {
        private final String key;
        private final Entry entry;
        private boolean released;

        private Held(String key, Entry entry) {
            this.key = key;
            this.entry = entry;
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

    /** Shared state of one path's lock in this JVM. */
    private static final class Entry {
        final ReentrantLock jvmLock = new ReentrantLock();
        int users;
        LockFiles.LockFile file;
        FileLock osLock;
    }

    /**
     * Takes the lock of {@code target} (an absolute path whose parent folder exists), waiting
     * up to {@code timeout}.
     *
     * @throws LockTimeoutException when another writer held it for longer
     */
    public static Held acquire(Path target, Duration timeout) throws IOException {
        return acquire(key(target), target, timeout);
    }

    private static Held acquire(String key, Path target, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Entry entry = ENTRIES.compute(key, (k, existing) -> {
            Entry e = existing == null ? new Entry() : existing;
            e.users++;
            return e;
        });
        boolean locked = false;
        try {
            if (!entry.jvmLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException(target, timeout);
            }
            locked = true;
            if (entry.jvmLock.getHoldCount() == 1 && isDefaultFileSystem(target)) {
                lockAcrossProcesses(entry, key, target, timeout, deadline);
            }
            return new Held(key, entry);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AtomicWriteException.failed("lock", target, "wait for lock", e);
        } catch (IOException | RuntimeException e) {
            if (locked) {
                entry.jvmLock.unlock();
            }
            forget(key);
            throw e;
        }
    }

    /**
     * Takes the locks of several paths in one fixed order (by key), so that two callers
     * locking overlapping sets can never deadlock. On failure none is held.
     */
    public static List<Held> acquireAll(List<Path> targets, Duration timeout) throws IOException {
        // One realpath per folder, however many of its files are locked.
        java.util.Map<Path, Path> realFolders = new java.util.HashMap<>();
        java.util.Map<Path, String> keys = new java.util.HashMap<>();
        for (Path target : targets) {
            keys.put(target, key(target, realFolders));
        }
        List<Path> ordered = new ArrayList<>(keys.keySet());
        ordered.sort(Comparator.comparing(keys::get));
        List<Held> held = new ArrayList<>();
        try {
            for (Path target : ordered) {
                held.add(acquire(keys.get(target), target, timeout));
            }
            return held;
        } catch (IOException | RuntimeException e) {
            releaseAll(held);
            throw e;
        }
    }

    /** Releases locks in reverse order of taking. */
    public static void releaseAll(List<Held> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).close();
        }
    }

    /**
     * The identity of a path's lock: the real path of its folder plus its name, so that two
     * spellings of one file (through a linked folder, with "..") share a lock.
     */
    public static String key(Path target) throws IOException {
        return key(target, null);
    }

    /**
     * {@link #key(Path)}, reusing the real paths of folders already resolved in {@code
     * realFolders} (and adding those it resolves): for many files of one folder at one moment.
     * A null map resolves every time.
     */
    public static String key(Path target, java.util.Map<Path, Path> realFolders) throws IOException {
        Path absolute = target.toAbsolutePath();
        // The real path of the nearest folder that exists, plus the rest as written: folders
        // a transaction is about to create do not exist yet, and their files still need a key.
        Path existing = absolute.getParent();
        Path real = existing == null || realFolders == null ? null : realFolders.get(existing);
        if (existing != null && real == null) {
            // realpath(3) of the folder; where it fails (not there yet, or below a file), of the
            // nearest ancestor it succeeds for. No stat first: this runs before every write.
            while (existing != null && (real = realPathOrNull(existing)) == null) {
                existing = existing.getParent();
            }
            if (realFolders != null && existing != null && existing.equals(absolute.getParent())) {
                realFolders.put(existing, real);
            }
        }
        Path resolved = existing == null ? absolute : real.resolve(existing.relativize(absolute));
        String prefix = isDefaultFileSystem(target) ? "" : target.getFileSystem().provider().getScheme() + ":"
                + System.identityHashCode(target.getFileSystem()) + ":";
        return prefix + resolved;
    }

    private static Path realPathOrNull(Path folder) {
        try {
            return folder.toRealPath();
        } catch (IOException notThereOrNotReachable) {
            return null;
        }
    }

    private static void lockAcrossProcesses(Entry entry, String key, Path target, Duration timeout, long deadline)
            throws IOException, InterruptedException {
        String name = LOCK_FILE_NAMES.get(key);
        if (name == null) {
            name = Hashing.sha256Hex(key.getBytes(StandardCharsets.UTF_8)).substring(0, 40) + ".lock";
            if (LOCK_FILE_NAMES.size() >= MAX_NAMES) {
                LOCK_FILE_NAMES.clear();
            }
            LOCK_FILE_NAMES.put(key, name);
        }
        LockFiles.LockFile file = LockFiles.takeIdle(StateDir.locks().resolve(name));
        if (file != null) {
            FileLock lock = lock(file, target, timeout, deadline);
            boolean current;
            try {
                current = file.stillAtItsPath();
            } catch (IOException | RuntimeException e) {
                LockFiles.close(file.channel());
                throw e;
            }
            if (current) {
                entry.file = file;
                entry.osLock = lock;
                return;
            }
            // Deleted or replaced since it was opened (the state folder was removed): a lock on
            // it excludes nobody. Let it go, and lock the file that is there now.
            LockFiles.close(file.channel());
        }
        file = openLockFile(name);
        entry.osLock = lock(file, target, timeout, deadline);
        entry.file = file;
    }

    private static LockFiles.LockFile openLockFile(String name) throws IOException {
        try {
            return LockFiles.open(StateDir.locks().resolve(name));
        } catch (java.nio.file.NoSuchFileException e) {
            // The state folder was removed while this JVM ran: make it again.
            StateDir.forget(StateDir.location().resolve("locks"));
            return LockFiles.open(StateDir.locks().resolve(name));
        }
    }

    /** Locks {@code file}, waiting up to the deadline; on failure the file is closed. */
    private static FileLock lock(LockFiles.LockFile file, Path target, Duration timeout, long deadline)
            throws IOException, InterruptedException {
        FileChannel channel = file.channel();
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                lock = CLOSE_ENDS_BLOCKED_LOCK ? waitInLock(channel, target, timeout, deadline)
                        : waitPolling(channel, target, timeout, deadline);
            }
            return lock;
        } catch (IOException | InterruptedException | RuntimeException e) {
            LockFiles.close(channel);
            throw e;
        }
    }

    /**
     * Waits inside a blocking lock call ({@code fcntl(F_SETLKW)}): the kernel wakes the waiter
     * as soon as the holder lets go, so it gets its turn even against a process that rewrites
     * the file in a loop. (Polling with sleeps starved it: such a process frees the lock for
     * microseconds between two writes, and a waiter that sleeps up to 50 ms between tries
     * missed those moments for seconds on end, up to a lock timeout.)
     *
     * <p>At the deadline a timer closes the channel, which ends the blocked call. Of the lock
     * and the deadline exactly one wins: a lock obtained after the deadline fired is gone with
     * the closed channel, and counts as a timeout.
     */
    private static FileLock waitInLock(FileChannel channel, Path target, Duration timeout, long deadline)
            throws IOException, InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new LockTimeoutException(target, timeout);
        }
        AtomicBoolean decided = new AtomicBoolean();
        ScheduledFuture<?> alarm = LibraryThreads.timer().schedule(() -> {
            if (decided.compareAndSet(false, true)) {
                LockFiles.close(channel);
            }
        }, left, TimeUnit.NANOSECONDS);
        try {
            FileLock lock = channel.lock();
            if (!decided.compareAndSet(false, true)) {
                throw new LockTimeoutException(target, timeout);
            }
            return lock;
        } catch (FileLockInterruptionException | ClosedByInterruptException e) {
            // The caller's thread was interrupted while it waited (the channel is closed).
            InterruptedException interrupted = new InterruptedException("interrupted while waiting for the lock");
            interrupted.initCause(e);
            throw interrupted;
        } catch (AsynchronousCloseException e) {
            throw new LockTimeoutException(target, timeout);
        } finally {
            alarm.cancel(false);
        }
    }

    /** Where closing a channel does not end a blocked lock call (Windows): try, sleep, try again. */
    private static FileLock waitPolling(FileChannel channel, Path target, Duration timeout, long deadline)
            throws IOException, InterruptedException {
        long pause = 1;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() >= deadline) {
                throw new LockTimeoutException(target, timeout);
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Thread.sleep(Math.max(1, Math.min(pause, left)));
            pause = Math.min(MAX_POLL_MILLIS, pause * 2);
        }
    }

    private static void release(String key, Entry entry) {
        try {
            if (entry.jvmLock.getHoldCount() == 1 && entry.osLock != null) {
                try {
                    entry.osLock.release();
                    LockFiles.giveBack(entry.file);
                } catch (IOException e) {
                    // Closing the channel releases the lock in any case; nothing else to do.
                    LOG.warn("releasing lock of {}: {}", key, e.toString());
                    LockFiles.close(entry.file.channel());
                } finally {
                    entry.osLock = null;
                    entry.file = null;
                }
            }
        } finally {
            entry.jvmLock.unlock();
            forget(key);
        }
    }

    private static void forget(String key) {
        ENTRIES.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    private static boolean isDefaultFileSystem(Path path) {
        return path.getFileSystem() == java.nio.file.FileSystems.getDefault();
    }

    /** Whether this thread holds the lock of {@code target}: for assertions in the protocol. */
    public static boolean isHeldByCurrentThread(Path target) throws IOException {
        Entry entry = ENTRIES.get(key(target));
        return entry != null && entry.jvmLock.isHeldByCurrentThread();
    }
}
