package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The one-time set-up of a process's first write, to do ahead on a thread of its own: for a
 * command line that starts a JVM to write one file, this set-up is a fifth of its run, and the
 * thread that parses the command line leaves the second core idle meanwhile.
 *
 * <p>What it prepares is what the first write would otherwise prepare on the caller's thread,
 * each read once per process and never changed by it: SHA-256 looked up among the security
 * providers ({@link Hashing}), the file-channel machinery (the JDK loads its native library on
 * first use), this process's signature in temp names (pid, start time, machine tag:
 * {@link TempWriters}), its umask ({@link FileModes}), its user id ({@link LinkRule}), the
 * first 4 KiB of unguessable bytes ({@link UnguessableBytes}) and the library's executors
 * ({@link LibraryThreads}). Nothing here touches the user's
 * files or the state folder, and a failure here is ignored: the write does the same step again
 * and reports it there, with its path.
 */
public final class Preload {
    private Preload() {
    }

    /** Does the set-up on the calling thread (a thread of its own, to gain anything). */
    public static void forWrites() {
        try {
            Hashing.sha256();
            try (FileChannel ignored = FileChannel.open(Path.of("/dev/null"))) {
                // Opened only so that the JDK sets up its file channels now.
            } catch (IOException | UnsupportedOperationException e) {
                // Not a Unix: the first write sets them up.
            }
            Objects.requireNonNull(TempWriters.THIS);
            FileModes.defaultFileMode(Path.of(""));
            LinkRule.follower();
            UnguessableBytes.fill(new byte[1]);
            // The library's executors (their class's set-up links lambdas and makes three pools):
            // a write's lock release schedules the sweep of idle lock files on the timer.
            Objects.requireNonNull(LibraryThreads.timer());
        } catch (RuntimeException | LinkageError e) {
            // Whatever failed here fails again in the write that needs it, which reports it.
        }
    }
}
