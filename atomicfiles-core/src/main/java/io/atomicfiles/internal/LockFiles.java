package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock files of {@link PathLocks} in the state folder, kept open between uses.
 *
 * <p>Opening a lock file, and closing it after every write, costs a few system calls and a
 * channel per write, about as much again as the lock itself. So a lock file that is not held
 * stays open here (the most recently used {@value #MAX_IDLE}), and the next lock of its path
 * takes it back. A held lock file is never in here, so closing an idle one (to stay under the
 * limit) never releases anyone's lock.
 *
 * <p>A lock excludes only those who lock the same file. If the state folder is removed while
 * a lock file sits here, another process creates a new file under the same name, and a lock on
 * the old one would exclude nobody. So a lock file taken back from here is checked after it is
 * locked: it must still be the file at its path (same device and inode), else it is closed and
 * the file that is there now is opened instead. Where the platform gives files no identity to
 * compare ({@code fileKey()} is null, as on Windows), lock files are closed after each use.
 */
final class LockFiles {
    private static final Logger LOG = LoggerFactory.getLogger(LockFiles.class);
    /** Lock files kept open while nobody holds them. */
    static final int MAX_IDLE = 64;

    /** Idle lock files by path, least recently used first. Guarded by itself. */
    private static final Map<Path, LockFile> IDLE = new LinkedHashMap<>(16, 0.75f, true);

    private LockFiles() {
    }

    /** An open lock file and the identity it had when opened (null where the platform has none). */
    record LockFile(Path path, FileChannel channel, Object fileKey) {
        /** Whether this is still the file at {@link #path()}: not deleted, not replaced. */
        boolean stillAtItsPath() throws IOException {
            try {
                return fileKey != null
                        && fileKey.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
            } catch (NoSuchFileException e) {
                return false;
            }
        }
    }

    /** An idle lock file of {@code path} that was kept open, or null. The caller now owns it. */
    static LockFile takeIdle(Path path) {
        synchronized (IDLE) {
            return IDLE.remove(path);
        }
    }

    /** Opens (creating it when needed) the lock file at {@code path}; its folder must exist. */
    static LockFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            Object fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return new LockFile(path, channel, fileKey);
        } catch (IOException | RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    /**
     * Gives back a lock file whose lock was released: kept open for the next use, or closed when
     * it cannot be checked later or too many are open.
     */
    static void giveBack(LockFile file) {
        if (file.fileKey() == null || !file.channel().isOpen()) {
            close(file.channel());
            return;
        }
        LockFile evicted = null;
        synchronized (IDLE) {
            LockFile previous = IDLE.put(file.path(), file);
            if (previous != null && previous.channel() != file.channel()) {
                evicted = previous; // cannot happen while PathLocks holds one entry per path
            } else if (IDLE.size() > MAX_IDLE) {
                Iterator<LockFile> eldest = IDLE.values().iterator();
                evicted = eldest.next();
                eldest.remove();
            }
        }
        if (evicted != null) {
            close(evicted.channel());
        }
    }

    static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing releases any lock on it in every case; there is nothing else to undo.
            LOG.debug("closing lock file: {}", e.toString());
        }
    }
}
