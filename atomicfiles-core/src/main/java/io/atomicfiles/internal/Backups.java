package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * {@code NAME.backup}: the previous content of {@code NAME}, kept beside it.
 *
 * <p>The backup is a hard link to the file being replaced: no bytes are copied, and the
 * target is never absent, not even for an instant (the seed's code renamed the old file away
 * first, so a crash at the wrong moment left no file at all). An older backup is replaced
 * atomically: the link is made under a temp name and renamed over it. Where the filesystem has
 * no hard links, the old content is copied instead, made durable, and renamed the same way.
 *
 * <p>When {@code NAME.backup} already is a hard link of {@code NAME} (a crash between a
 * write's two renames leaves exactly that: the backup's rename done, the publishing rename
 * not), {@code rename(2)} of the temp link over it does nothing and reports success (POSIX:
 * "if old and new are links to the same file, rename does nothing"), leaving the temp name
 * behind for ever. So whenever the file had more than one name, the temp name is checked after
 * the rename and removed if it is still there; the backup then already holds the old content.
 */
public final class Backups {
    private static final Log LOG = Log.of(Backups.class);
    public static final String SUFFIX = ".backup";
    /** Fresh temp names tried when one is taken, as for the write's own temp file. */
    private static final int NAME_ATTEMPTS = 16;

    private Backups() {
    }

    /** {@code NAME.backup} beside {@code target}. */
    public static Path backupOf(Path target) {
        return target.resolveSibling(target.getFileName() + SUFFIX);
    }

    /**
     * Refuses, before anything is done, a target whose backup name would be longer than file
     * names may be ({@value TempFiles#MAX_NAME_BYTES} bytes): {@code NAME.backup} of a name of
     * over 248 bytes cannot exist, and a write that was asked to keep the old content must not
     * silently drop it.
     */
    public static void requireBackupName(Path target, String operation) throws AtomicWriteException {
        String name = target.getFileName().toString();
        int bytes = (name + SUFFIX).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > TempFiles.MAX_NAME_BYTES) {
            throw new AtomicWriteException(operation + " " + target + " failed: its name is "
                    + name.getBytes(StandardCharsets.UTF_8).length + " bytes long, so its backup " + name + SUFFIX
                    + " would be " + bytes + " bytes, over the limit of " + TempFiles.MAX_NAME_BYTES
                    + " bytes for a file name; nothing was written. Write it with backup off"
                    + " (WriteOptions.backup(false), or --no-backup) or use a shorter name.", null,
                    Targets.context(operation, target));
        }
    }

    /** {@link #keep(Path, long, Durability, String)} for a target whose number of names is unknown. */
    public static Path keep(Path target, Durability durability, String operation) throws IOException {
        return keep(target, -1, durability, operation);
    }

    /**
     * Makes {@code NAME.backup} hold the current content of {@code target}.
     *
     * @param links how many names the target had when it was looked at under its lock (1: the
     *     backup cannot be another name of it), -1 when unknown
     * @return the backup's path
     */
    public static Path keep(Path target, long links, Durability durability, String operation) throws IOException {
        Path backup = backupOf(target);
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(TempFiles.name(backup.getFileName().toString()));
            try {
                linkOrCopy(target, temp, durability, operation);
                OpenTempFiles.add(temp);
            } catch (FileAlreadyExistsException e) {
                // The name is taken (a leftover, a planted link): not ours to delete. Try a fresh one.
                if (attempt < NAME_ATTEMPTS) {
                    continue;
                }
                throw AtomicWriteException.failed(operation, target, "keep backup " + backup.getFileName(), e);
            } catch (IOException | RuntimeException e) {
                TempFiles.deleteQuietly(temp); // possibly a partial copy of ours
                throw asBackupFailure(e, operation, target, backup);
            }
            try {
                // Replace any older backup in one step: readers see the old backup or the new one.
                Files.move(temp, backup, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (links != 1) {
                    removeIfStillThere(temp, backup);
                }
                TempFiles.published(temp);
                return backup;
            } catch (IOException | RuntimeException e) {
                TempFiles.deleteQuietly(temp);
                throw asBackupFailure(e, operation, target, backup);
            }
        }
    }

    /**
     * Gives {@code target}'s current backup a second, hidden name, so that a step that then fails
     * can {@link #putBack} the backup it replaced; null when there is no backup. The hidden name
     * is a temp name of the backup's: a crash's leftover is removed like any other.
     */
    public static Path setAside(Path target, String operation) throws IOException {
        Path backup = backupOf(target);
        if (!Stat.exists(backup)) {
            return null;
        }
        Path aside = target.resolveSibling(TempFiles.name(backup.getFileName().toString()));
        try {
            Files.createLink(aside, backup);
        } catch (UnsupportedOperationException | FileSystemException noLink) {
            // No hard links here (or the random name is taken: not ours to remove). A copy of the
            // whole backup would cost its size again in I/O and space on every move: not set
            // aside, so a failed rename leaves the backup replaced, as before.
            LOG.get().debug("{} {}: {} not set aside ({})", operation, target, backup.getFileName(), noLink.toString());
            return null;
        }
        OpenTempFiles.add(aside);
        return aside;
    }

    /**
     * After a failed step: {@code aside} (from {@link #setAside}; null: nothing) goes back over
     * {@code target}'s backup. Best effort: the step's own failure is what the caller throws, and
     * a backup that cannot be put back is logged (it then holds the target's current content).
     */
    public static void putBack(Path aside, Path target, String operation) {
        if (aside == null) {
            return;
        }
        try {
            Files.move(aside, backupOf(target), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            HardLinks.removeIfStillThere(aside, backupOf(target));
        } catch (IOException | RuntimeException e) {
            LOG.get().warn("{} {}: the previous backup could not be put back ({}); {} holds the current content",
                    operation, target, e.toString(), backupOf(target).getFileName());
            TempFiles.deleteQuietly(aside);
        }
        TempFiles.published(aside);
    }

    /** After a step that succeeded: the backup set aside ({@link #setAside}; null: nothing) is not needed. */
    public static void forget(Path aside) {
        if (aside == null) {
            return;
        }
        try {
            Files.deleteIfExists(aside);
        } catch (IOException first) {
            // The step it guarded is done and must not be reported failed for this: once more,
            // and a second failure is logged (the hidden copy is then a temp file left behind).
            LOG.get().debug("removing {}: {}; trying once more", aside, first.toString());
            TempFiles.deleteQuietly(aside);
        }
        TempFiles.published(aside);
    }

    /**
     * After renaming {@code temp} over {@code backup}: when the two were links of one file the
     * rename did nothing, and {@code temp} is still there. Removing it leaves exactly what the
     * rename was for: {@code backup} is that file.
     */
    private static void removeIfStillThere(Path temp, Path backup) throws IOException {
        if (HardLinks.removeIfStillThere(temp, backup)) {
            LOG.get().debug("{} already was the file being backed up (a hard link of it); removed {}", backup, temp);
        }
    }

    private static IOException asBackupFailure(Exception e, String operation, Path target, Path backup) {
        if (e instanceof AtomicWriteException) {
            return (AtomicWriteException) e;
        }
        return AtomicWriteException.failed(operation, target, "keep backup " + backup.getFileName(), e);
    }

    /**
     * Gives {@code target}'s current content a second name {@code link}: a hard link where the
     * filesystem has them, else a durable copy. {@code link} must not exist. Neither name's
     * symbolic link, if one was planted, is followed: {@code link(2)} links a link itself, and
     * the copy does not follow one either.
     */
    public static void linkOrCopy(Path target, Path link, Durability durability, String operation)
            throws IOException {
        try {
            Files.createLink(link, target);
            return;
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            LOG.get().debug("no hard link for {} ({}); copying instead", target, e.toString());
        }
        Files.copy(target, link, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (durability.syncsFile()) {
            try (FileChannel copy = FileChannel.open(link, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                Fsync.file(copy, operation, target, "fsync copy of " + target.getFileName());
            }
        }
    }
}
