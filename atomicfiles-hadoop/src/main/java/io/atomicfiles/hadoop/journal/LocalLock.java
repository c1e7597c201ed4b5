package io.atomicfiles.hadoop.journal;

import io.atomicfiles.hadoop.internal.ClusterFs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.Path;

/**
 * On the local filesystem, where there are no leases: an OS lock on {@code <journal>.lock}, held
 * by the running transaction, taken by a recovery only when its owner is gone. The lock file is
 * never opened twice in one process while locked (closing any channel of a file drops the
 * process's locks on it).
 */
final class LocalLock {
    /** Lock files held in this JVM: never opened again here, or closing that channel would drop the lock. */
    private static final java.util.Set<java.nio.file.Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final java.nio.file.Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private LocalLock(java.nio.file.Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static LocalLock lock(ClusterFs cfs, Path journal) throws IOException {
        LocalLock held = tryLock(cfs, journal);
        if (held == null) {
            throw new IOException("journal " + journal + " is locked by a running transaction");
        }
        return held;
    }

    /** The lock, or null when another process (or this one) holds it. */
    static LocalLock tryLock(ClusterFs cfs, Path journal) throws IOException {
        java.nio.file.Path file = cfs.local(new Path(journal.getParent(), journal.getName() + ".lock"));
        if (!HELD.add(file)) {
            return null;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            throw e;
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD.remove(file);
                return null;
            }
            return new LocalLock(file, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            HELD.remove(file);
            throw e;
        }
    }

    void release() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
            HELD.remove(file);
        }
    }

    void releaseAndDelete() throws IOException {
        Files.deleteIfExists(file);
        release();
    }
}
