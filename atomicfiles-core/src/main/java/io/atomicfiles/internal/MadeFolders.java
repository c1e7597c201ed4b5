package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Folders made only to hold a lock file, and their removal when the lock is released unused.
 *
 * <p>A lock file lives in the folder of the files it locks, so locking a file in a folder that
 * does not exist yet (a transaction's new folder) makes the folder first. A transaction that
 * then fails must leave the disk as it found it, so when the lock that made the folders is
 * released, each folder it made is removed again if it holds nothing but its lock file:
 * <ol>
 *   <li>Nobody else in this JVM uses the lock file, and the folder holds nothing else: else a
 *       file was published there, or someone works in it.</li>
 *   <li>The whole lock file is locked ({@code fcntl} over every byte): no other process holds or
 *       takes any lock in it meanwhile. A process that opened it and waits for a byte gets it
 *       after the removal, on the deleted file, finds it is no longer the file at its path
 *       ({@link LockFiles.LockFile#stillAtItsPath()}) and makes folder and lock file again.</li>
 *   <li>The lock file is deleted, then the made folders, deepest first, each only if empty.</li>
 * </ol>
 */
public final class MadeFolders {
    private static final Log LOG = Log.of(MadeFolders.class);

    private MadeFolders() {
    }

    /**
     * Makes the missing folders of {@code target} (checked as a write's folders are) and returns
     * those that were missing, deepest first.
     */
    static List<Path> make(Path target, Path folder) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = folder; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(p);
        }
        Targets.createParents(target, true, "lock");
        return missing;
    }

    /** Removes the lock file and the folders {@code made} when nothing else is in them (steps 1 to 3). */
    static void removeIfUnused(LockFiles.LockFile file, List<Path> made) {
        try {
            if (!LockFiles.soleUser(file) || !onlyTheLockFileIn(file.folder)) {
                return;
            }
            FileLock all;
            try {
                all = file.channel.tryLock(0, Long.MAX_VALUE, false);
            } catch (OverlappingFileLockException usedHereMeanwhile) {
                return;
            }
            if (all == null) {
                return;
            }
            try {
                if (!file.stillAtItsPath() || !onlyTheLockFileIn(file.folder)) {
                    return;
                }
                Files.delete(file.path);
                LockFiles.markStale(file);
            } finally {
                all.release();
            }
            for (Path folder : made) {
                Files.delete(folder);
            }
        } catch (IOException | RuntimeException e) {
            // Something was put there meanwhile, or it cannot be removed: it stays, harmlessly.
            LOG.get().debug("keeping folder made for a lock in {}: {}", file.folder, e.toString());
        }
    }

    private static boolean onlyTheLockFileIn(Path folder) throws IOException {
        try (DirectoryStream<Path> names = Files.newDirectoryStream(folder)) {
            for (Path name : names) {
                if (!LockFiles.NAME.equals(name.getFileName().toString())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Removes each of {@code folders} (deepest first, each a real folder, not a link) that holds
     * nothing but its lock file, or nothing at all. The lock file goes first, by the protocol
     * above: the whole lock file is locked meanwhile, so no process holds or takes a
     * lock in it, and one that opened it and waits finds it deleted and makes it again. For
     * recovery, after it released the locks of a transaction it rolled back: its own lock in
     * such a folder is what kept the clean-up from removing it. Best effort: a folder that cannot
     * be removed stays, empty, and is logged.
     */
    public static void removeFoldersLeftEmpty(List<Path> folders) {
        for (Path folder : folders) {
            try {
                if (!Stat.isDirectory(folder)) {
                    continue;
                }
                if (LockSlots.isDefaultFileSystem(folder)
                        && Files.isRegularFile(folder.resolve(LockFiles.NAME), LinkOption.NOFOLLOW_LINKS)) {
                    LockFiles.LockFile file = LockFiles.use(folder, folder, "remove folder");
                    try {
                        MadeFolders.removeIfUnused(file, List.of(folder));
                    } finally {
                        LockFiles.done(file);
                    }
                } else {
                    Files.deleteIfExists(folder);
                }
            } catch (DirectoryNotEmptyException someoneElses) {
                // A file of someone else's was put there meanwhile: the folder is theirs now too.
            } catch (IOException | RuntimeException e) {
                LOG.get().debug("keeping empty folder {}: {}", folder, e.toString());
            }
        }
    }
}
