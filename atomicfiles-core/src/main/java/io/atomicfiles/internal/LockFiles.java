package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock files of {@link PathLocks}: one per folder written into, {@code <folder>/.atomicfiles.lock},
 * and this JVM's one open channel to each.
 *
 * <p><b>One channel per lock file.</b> Closing any descriptor of a file drops every POSIX
 * ({@code fcntl}) lock this process holds on it, whichever descriptor took them. So this JVM
 * opens each lock file (each inode, whatever the path it is reached by) once, shares that
 * channel between every thread and every name of the folder, counts its users, and closes it
 * only when nobody uses it. Nothing else in the library ever opens a lock file (its name is
 * refused as a target, see {@link PathLocks}).
 *
 * <p><b>Opening</b> (one thread at a time, so two threads never open one file twice):
 * <ol>
 *   <li>{@code lstat} the name: a symbolic link, a FIFO, a folder is refused (an attacker's plant
 *       must not make us create, block on, or lock something else); a file already open here
 *       (same device and inode, reached through another path) is used through its channel.</li>
 *   <li>Open it read-write with {@code O_NOFOLLOW}; read-write also opens a FIFO swapped in
 *       meanwhile without blocking. Missing: create it with {@code O_EXCL}, then give it its mode
 *       ({@link LockFileModes}).</li>
 *   <li>{@code lstat} again: the same inode as in step 1, else something was swapped in between;
 *       that channel is kept open for ever (closing it might close a file we lock through
 *       another channel) and the open starts again.</li>
 * </ol>
 *
 * <p><b>Idle lock files stay open</b> (at most {@value #MAX_IDLE}, for at most about
 * {@value #IDLE_MILLIS} ms): the next write to the folder needs no open and no close, and a
 * filesystem written to is not kept busy (unmountable) for long. A lock file deleted or replaced while open is noticed by
 * {@link LockFile#stillAtItsPath()}, which {@link PathLocks} asks after every lock (for a set
 * of locks, once per lock file after the set's last byte: {@link LockSets}).
 */
final class LockFiles {
    private static final Log LOG = Log.of(LockFiles.class);
    /** The name of the lock file in each folder written into. */
    static final String NAME = io.atomicfiles.AtomicFiles.LOCK_FILE_NAME;
    /** Lock files kept open while nobody uses them. */
    static final int MAX_IDLE = 64;
    /** How long a lock file nobody uses stays open. */
    static final long IDLE_MILLIS = 2000;
    /** Attempts at opening a lock file that keeps being swapped, before giving up. */
    private static final int OPEN_ATTEMPTS = 16;

    /** Guards the maps below and every {@link LockFile#users}. */
    private static final Object MONITOR = new Object();
    /** The current lock file of each folder (by the folder's real path). */
    private static final Map<Path, LockFile> BY_FOLDER = new HashMap<>();
    /** Every open lock file by its identity (device and inode). */
    private static final Map<Object, LockFile> BY_IDENTITY = new HashMap<>();
    /** Lock files nobody uses, least recently used first. */
    private static final LinkedHashMap<LockFile, Boolean> IDLE = new LinkedHashMap<>(16, 0.75f, true);
    /** Channels that must never be closed (see step 3); only an attacker's swaps put one here. */
    private static final List<FileChannel> NEVER_CLOSED = new ArrayList<>();
    /** One opener at a time: two threads opening one lock file would hold two descriptors of it. */
    private static final ReentrantLock OPENING = new ReentrantLock();

    private LockFiles() {
    }

    /** An open lock file; {@code fileKey} is its identity when opened (null where the platform has none). */
    static final class LockFile {
        final Path folder;
        final Path path;
        final FileChannel channel;
        final Object fileKey;
        /** Threads locking, holding or waiting on a byte of it. Guarded by {@link #MONITOR}. */
        int users;
        /** Deleted or replaced since it was opened: closed once unused. Guarded by {@link #MONITOR}. */
        boolean stale;
        /** When it was last given back unused ({@link System#nanoTime()}). Guarded by {@link #MONITOR}. */
        long idleSince;

        LockFile(Path folder, Path path, FileChannel channel, Object fileKey) {
            this.folder = folder;
            this.path = path;
            this.channel = channel;
            this.fileKey = fileKey;
        }

        /** Whether this is still the file at {@link #path}: not deleted, not replaced. */
        boolean stillAtItsPath() throws IOException {
            try {
                return fileKey != null && fileKey.equals(
                        Files.readAttributes(path, BasicFileAttributes.class, FileModes.NOFOLLOW).fileKey());
            } catch (NoSuchFileException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * The lock file of {@code folder} (a real path of the default filesystem), opened or created,
     * with one more user: give it back with {@link #done}.
     *
     * @throws NoSuchFileException when the folder does not exist
     * @throws AtomicWriteException when the name is taken by something else than a regular
     *     file, or the lock file cannot be opened for writing (another user's)
     */
    static LockFile use(Path folder, Path target, String operation) throws IOException {
        synchronized (MONITOR) {
            LockFile file = BY_FOLDER.get(folder);
            if (file != null && !file.stale) {
                file.users++;
                IDLE.remove(file);
                return file;
            }
        }
        OPENING.lock();
        try {
            synchronized (MONITOR) {
                LockFile file = BY_FOLDER.get(folder);
                if (file != null && !file.stale) {
                    file.users++;
                    IDLE.remove(file);
                    return file;
                }
            }
            for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
                LockFile file = openOnce(folder, target, operation);
                if (file != null) {
                    return file;
                }
            }
            throw new AtomicWriteException("cannot lock " + target + ": its folder's lock file " + folder.resolve(NAME)
                    + " kept being replaced while it was opened", null, Targets.context(operation, target));
        } finally {
            OPENING.unlock();
        }
    }

    /** Steps 1 to 3 of opening; null when something was swapped in between (try again). Under {@link #OPENING}. */
    private static LockFile openOnce(Path folder, Path target, String operation) throws IOException {
        Path path = folder.resolve(NAME);
        BasicFileAttributes before = lstatOrNull(path);
        FileChannel channel;
        boolean created = false;
        if (before == null) {
            try {
                // O_CREAT|O_EXCL: never follows a link, never opens something planted meanwhile.
                // Owner-only until step 2 gives it its mode: nobody else may lock it before.
                channel = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        FileModes.ownerOnlyFileAttribute(folder));
                created = true;
            } catch (FileAlreadyExistsException madeMeanwhile) {
                return null;
            } catch (AccessDeniedException e) {
                // The folder is not writable: no write could have happened there anyway.
                java.util.Map<String, Object> context = Targets.context(operation, target);
                context.put("lockFile", path.toString());
                throw new AtomicWriteException("permission denied: cannot create files in " + folder
                        + " (the first would be its lock file " + NAME + ")", e, context);
            }
        } else {
            requireRegularFile(path, before, target, operation);
            synchronized (MONITOR) {
                LockFile open = before.fileKey() == null ? null : BY_IDENTITY.get(before.fileKey());
                if (open != null && !open.stale) {
                    // The same inode, reached through another path (a bind mount): its one channel.
                    open.users++;
                    IDLE.remove(open);
                    BY_FOLDER.put(folder, open);
                    return open;
                }
            }
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException removedMeanwhile) {
                return null;
            } catch (AccessDeniedException e) {
                throw refused(path, folder, target, operation, "it cannot be opened for writing (" + owner(path)
                        + "); a lock needs write access to it", e);
            } catch (IOException e) {
                throw AtomicWriteException.failed(operation, target, "open lock file " + path, e);
            }
        }
        Object identity;
        try {
            if (created) {
                LockFileModes.apply(path, folder);
            }
            BasicFileAttributes after = lstatOrNull(path);
            identity = after == null ? null : after.fileKey();
            boolean same = after != null && (created ? after.isRegularFile()
                    : identity != null && identity.equals(before.fileKey()));
            if (!same) {
                LOG.get().warn("lock file {} was replaced while it was opened; opening it again", path);
                synchronized (MONITOR) {
                    NEVER_CLOSED.add(channel);
                }
                return null;
            }
        } catch (IOException | RuntimeException e) {
            close(channel);
            throw e;
        }
        LockFile file = new LockFile(folder, path, channel, identity);
        synchronized (MONITOR) {
            file.users = 1;
            BY_FOLDER.put(folder, file);
            if (identity != null) {
                BY_IDENTITY.put(identity, file);
            }
        }
        return file;
    }

    private static BasicFileAttributes lstatOrNull(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void requireRegularFile(Path path, BasicFileAttributes attributes, Path target, String operation)
            throws AtomicWriteException {
        if (!attributes.isRegularFile()) {
            String what = attributes.isSymbolicLink() ? "a symbolic link (never followed here)"
                    : attributes.isDirectory() ? "a folder" : "a special file (such as a FIFO)";
            throw refused(path, path.getParent(), target, operation, "it is " + what + ", not a regular file;"
                    + " remove it", null);
        }
    }

    private static AtomicWriteException refused(Path lockFile, Path folder, Path target, String operation,
            String why, Throwable cause) {
        java.util.Map<String, Object> context = Targets.context(operation, target);
        context.put("lockFile", lockFile.toString());
        return new AtomicWriteException("cannot lock " + target + ": the lock file " + lockFile + " of its folder "
                + folder + " is unusable: " + why + ". Writers of a file exclude each other through this file,"
                + " so nothing was written", cause, context);
    }

    private static String owner(Path path) {
        try {
            return "owned by " + Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName() + ", mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return "permission denied";
        }
    }

    /** Whether the caller is the only user of {@code file} in this JVM. */
    static boolean soleUser(LockFile file) {
        synchronized (MONITOR) {
            return file.users == 1 && !file.stale;
        }
    }

    /** Marks {@code file} as no longer the lock file at its path: closed once unused. */
    static void markStale(LockFile file) {
        synchronized (MONITOR) {
            file.stale = true;
            BY_FOLDER.remove(file.folder, file);
            if (file.fileKey != null) {
                BY_IDENTITY.remove(file.fileKey, file);
            }
        }
    }

    /**
     * One user less. An unused lock file stays open (idle) for the next use, or is closed: when
     * stale, when it has no identity to check later, or when too many are idle. A lock file is
     * closed only when nobody in this JVM locks anything in it, so closing it drops no lock.
     */
    static void done(LockFile file) {
        // Made only when a channel is to be closed: most calls close none (one per write).
        List<FileChannel> toClose = null;
        synchronized (MONITOR) {
            if (--file.users > 0) {
                return;
            }
            if (file.stale || file.fileKey == null || !file.channel.isOpen()) {
                forgetLocked(file);
                toClose = List.of(file.channel);
            } else {
                file.idleSince = System.nanoTime();
                IDLE.put(file, Boolean.TRUE);
                scheduleSweep();
                if (IDLE.size() > MAX_IDLE) {
                    toClose = new ArrayList<>();
                    Iterator<LockFile> eldest = IDLE.keySet().iterator();
                    while (IDLE.size() > MAX_IDLE) {
                        LockFile evicted = eldest.next();
                        eldest.remove();
                        forgetLocked(evicted);
                        toClose.add(evicted.channel);
                    }
                }
            }
        }
        if (toClose != null) {
            toClose.forEach(LockFiles::close);
        }
    }

    /** Whether a sweep of idle lock files is scheduled. Guarded by {@link #MONITOR}. */
    private static boolean sweepScheduled;

    private static void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            LibraryThreads.timer().schedule(() -> {
                synchronized (MONITOR) {
                    sweepScheduled = false;
                }
                closeIdle(IDLE_MILLIS);
            }, IDLE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the lock files idle for at least {@code millis} ms; sweeps again later while some stay open. */
    static void closeIdle(long millis) {
        List<FileChannel> toClose = new ArrayList<>();
        synchronized (MONITOR) {
            long now = System.nanoTime();
            for (Iterator<LockFile> idle = IDLE.keySet().iterator(); idle.hasNext(); ) {
                LockFile file = idle.next();
                if (file.users == 0 && now - file.idleSince >= millis * 1_000_000L) {
                    idle.remove();
                    forgetLocked(file);
                    toClose.add(file.channel);
                }
            }
            if (!IDLE.isEmpty()) {
                scheduleSweep();
            }
        }
        toClose.forEach(LockFiles::close);
    }

    private static void forgetLocked(LockFile file) {
        file.stale = true;
        IDLE.remove(file);
        BY_FOLDER.remove(file.folder, file);
        if (file.fileKey != null) {
            BY_IDENTITY.remove(file.fileKey, file);
        }
    }

    /** The lock files this JVM has open now (idle or used): for tests and diagnostics. */
    static List<Path> open() {
        synchronized (MONITOR) {
            List<Path> paths = new ArrayList<>();
            for (LockFile file : BY_IDENTITY.values()) {
                paths.add(file.path);
            }
            return paths;
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing releases any lock on it in every case; there is nothing else to undo.
            LOG.get().debug("closing lock file: {}", e.toString());
        }
    }
}
