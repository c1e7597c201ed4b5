package io.atomicfiles.internal;

import io.atomicfiles.internal.LockSlots.Slot;
import io.atomicfiles.internal.PathLocks.Held;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The locks of a set of paths ({@link PathLocks#acquireAll}): a transaction's targets and their
 * backups, a move's two ends.
 *
 * <ol>
 *   <li>Every byte is taken in one fixed order (by slot: folder, then offset), so that two
 *       callers locking overlapping sets, in this process or another, never deadlock.</li>
 *   <li>Then each lock file of the set is asked once whether it is still the file at its path
 *       ({@link PathLocks}' step 5), not once per byte: a 100-file transaction takes 200 bytes
 *       of one lock file, and 200 {@code stat}s of it were ~2.5% of its time on the journaled
 *       ext4 (BENCHMARKS.md, "W3: fewer system calls per file"). It is the same check. A lock
 *       file found at its path after the set's last byte was taken has been there since its
 *       first byte was: an inode whose last name was unlinked never gets a name again (the
 *       library and cleanup jobs only ever delete lock files). Only a rename of the lock file,
 *       or of a folder above it, away and back between the set's first byte and its last
 *       (lock waits included) would pass unseen, where a check per byte left that instant
 *       between a lock and its stat; nobody makes such renames but an attacker who can write
 *       the folder, who can delete the lock file anyway.</li>
 *   <li>A lock file found deleted or replaced: a byte of it excludes nobody. Every byte of the
 *       set is let go and the set is taken again one byte at a time, in the same order, each
 *       checked right after it is taken, with the retries of {@link PathLocks}. (A lock file
 *       that was stale before the set began is met by every byte of step 1 that lies in it, so
 *       a process still holding a byte of that deleted file delays the set until step 3; the
 *       check per byte had moved to the new file after the first.)</li>
 * </ol>
 * On failure none is held.
 */
final class LockSets {
    /** For tests: run after each byte of step 1 is taken, before step 2; null in production. */
    static volatile Runnable afterEachTakeForTests;

    private LockSets() {
    }

    static List<Held> acquireAll(List<Path> targets, Duration timeout) throws IOException {
        // One realpath per folder, however many of its files are locked.
        Map<Path, Path> realFolders = new HashMap<>();
        Map<Path, Slot> slots = new HashMap<>();
        for (Path target : targets) {
            slots.put(target, LockSlots.slotOf(PathLocks.key(target, realFolders), target, false));
        }
        List<Path> ordered = new ArrayList<>(slots.keySet());
        ordered.sort(Comparator.comparing((Path target) -> slots.get(target).jvmKey()));
        List<Held> held = new ArrayList<>();
        try {
            // Step 1.
            for (Path target : ordered) {
                held.add(PathLocks.acquire(slots.get(target), target, timeout, false));
                runTestHook();
            }
            // Step 2.
            if (lockFilesStillAtTheirPaths(held)) {
                return held;
            }
            // Step 3. The folders a first take made stay that path's (letting it go removed
            // them only if nobody used them meanwhile; then the second take makes them again).
            Map<Path, List<Path>> made = new HashMap<>();
            for (int i = 0; i < held.size(); i++) {
                made.put(ordered.get(i), held.get(i).madeFolders());
            }
            PathLocks.releaseAll(held);
            held.clear();
            for (Path target : ordered) {
                Held lock = PathLocks.acquire(slots.get(target), target, timeout, true);
                held.add(lock);
                lock.alsoMade(made.get(target));
            }
            return held;
        } catch (IOException | RuntimeException e) {
            PathLocks.releaseAll(held);
            throw e;
        }
    }

    /**
     * Whether each lock file that a byte of {@code held} was taken in without step 5 is still
     * the file at its path; one that is not is marked stale, so that the next use opens the file
     * there now.
     */
    private static boolean lockFilesStillAtTheirPaths(List<Held> held) throws IOException {
        Set<LockFiles.LockFile> files = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Held lock : held) {
            if (lock.unchecked() != null) {
                files.add(lock.unchecked());
            }
        }
        boolean current = true;
        for (LockFiles.LockFile file : files) {
            if (!file.stillAtItsPath()) {
                LockFiles.markStale(file);
                current = false;
            }
        }
        return current;
    }

    private static void runTestHook() {
        Runnable hook = afterEachTakeForTests;
        if (hook != null) {
            hook.run();
        }
    }
}
