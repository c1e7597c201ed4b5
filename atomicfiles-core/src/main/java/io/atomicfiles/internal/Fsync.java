package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Forces files and folders to stable storage.
 *
 * <p>A failed fsync is final: the exception it becomes carries a {@link SyncFailedException}
 * as its cause, which no retry policy retries. After a failed fsync Linux may already have
 * marked the dirty pages clean, so a second fsync can "succeed" with the data lost
 * (the PostgreSQL fsync-gate lesson).
 */
public final class Fsync {
    private static final Log LOG = Log.of(Fsync.class);
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    /** A folder's open options, one immutable set (the varargs form builds a new HashSet per call). */
    private static final java.util.Set<StandardOpenOption> READ = java.util.Set.of(StandardOpenOption.READ);

    private Fsync() {
    }

    /** {@code fsync(2)} of an open file: its data and the metadata needed to read it back. */
    public static void file(FileChannel channel, String operation, Path path, String step) throws AtomicWriteException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw failure(operation, path, step, e);
        }
    }

    /**
     * {@code fdatasync(2)} of an open file: its data, and of its metadata only what reading the
     * data back needs (its size, where its blocks are), not its times. For a write into blocks
     * that are allocated and forced already (a journal's reserved room), that is everything a
     * reader after a power loss depends on, and on a journaling filesystem it spares a commit of
     * the filesystem's journal for the file's new mtime. Fails alike: see {@link #failure}.
     */
    public static void data(FileChannel channel, String operation, Path path, String step) throws AtomicWriteException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw failure(operation, path, step, e);
        }
    }

    /**
     * {@code fsync(2)} of a folder, so that a rename or a new entry inside it survives a power
     * loss. Skipped on Windows, where a folder cannot be opened for this (NTFS makes renames
     * durable through its own log), and on filesystems that cannot open a folder as a channel
     * (in-memory ones such as Jimfs), which have no power loss to survive.
     */
    public static void folder(Path dir, String operation, Path path) throws AtomicWriteException {
        if (WINDOWS) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, READ);
        } catch (IOException | UnsupportedOperationException e) {
            if (isDefaultFileSystem(dir)) {
                throw failure(operation, path, "open folder " + dir + " for fsync", e);
            }
            LOG.get().debug("{} cannot be opened for fsync on {}; skipped", dir, dir.getFileSystem(), e);
            return;
        }
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            throw failure(operation, path, "fsync folder " + dir, e);
        }
    }

    private static boolean isDefaultFileSystem(Path dir) {
        return "file".equals(dir.getFileSystem().provider().getScheme());
    }

    /**
     * The exception of a failed fsync: an {@link AtomicWriteException} whose cause is a
     * {@link SyncFailedException}, the mark that keeps it from ever being retried.
     */
    public static AtomicWriteException failure(String operation, Path path, String step, Exception e) {
        // A ClosedByInterruptException has no message: say what it was (an fsync cut short by an
        // interrupt, whose outcome is unknown: it may hide an EIO, so it is never retried either).
        SyncFailedException marker = new SyncFailedException(e.getMessage() != null ? e.getMessage() : e.toString());
        marker.initCause(e);
        return AtomicWriteException.failed(operation, path, step, marker);
    }
}
