package io.atomicfiles.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The lock files of a state folder that this JVM holds locked. The library keeps idle lock
 * files open between writes, so "open" says nothing; "locked" is what must end with a write.
 */
public final class HeldLockFiles {
    private HeldLockFiles() {
    }

    /**
     * The lock files in {@code locks} that this JVM holds a lock on: for those, a lock attempt
     * through another channel fails with {@link OverlappingFileLockException} (the JVM tracks
     * its file locks across channels). Call it only when no write is running: the attempt
     * itself holds each free lock file for a moment.
     */
    public static List<String> in(Path locks) throws IOException {
        List<String> held = new ArrayList<>();
        if (!Files.isDirectory(locks)) {
            return held;
        }
        try (Stream<Path> files = Files.list(locks)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".lock")).toList()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    FileLock lock = channel.tryLock();
                    if (lock != null) {
                        lock.release();
                    } // else another process holds it: not this JVM's to answer for

                } catch (OverlappingFileLockException e) {
                    held.add(file.toString());
                }
            }
        }
        return held;
    }
}
