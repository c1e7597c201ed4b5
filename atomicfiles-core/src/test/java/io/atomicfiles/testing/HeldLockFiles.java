package io.atomicfiles.testing;

import io.atomicfiles.internal.PathLocks;
import java.nio.file.Path;
import java.util.List;

/**
 * The OS locks this JVM holds in the lock file of a folder ({@code <folder>/.atomicfiles.lock}).
 * The library keeps idle lock files open between writes, so "open" says nothing; "locked" is
 * what must end with a write. Asked of the library, not found by opening the lock file: closing
 * a second descriptor of it would drop every lock this process holds on it.
 */
public final class HeldLockFiles {
    private HeldLockFiles() {
    }

    /** The locks held in {@code folder}'s lock file, each as {@code <lock file>@<offset>}. */
    public static List<String> in(Path folder) {
        String prefix = folder.toAbsolutePath() + "/.atomicfiles.lock@";
        return PathLocks.heldAcrossProcesses().stream().filter(held -> held.startsWith(prefix)).toList();
    }

    /** Every lock this JVM holds across processes. */
    public static List<String> any() {
        return PathLocks.heldAcrossProcesses();
    }
}
