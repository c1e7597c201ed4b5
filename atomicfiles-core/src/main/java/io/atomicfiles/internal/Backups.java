package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code NAME.backup}: the previous content of {@code NAME}, kept beside it.
 *
 * <p>The backup is a hard link to the file being replaced: no bytes are copied, and the
 * target is never absent, not even for an instant (the seed's code renamed the old file away
 * first, so a crash at the wrong moment left no file at all). An older backup is replaced
 * atomically: the link is made under a temp name and renamed over it. Where the filesystem has
 * no hard links, the old content is copied instead, made durable, and renamed the same way.
 */
public final class Backups {
    private static final Logger LOG = LoggerFactory.getLogger(Backups.class);
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
     * Makes {@code NAME.backup} hold the current content of {@code target}.
     *
     * @return the backup's path
     */
    public static Path keep(Path target, Durability durability, String operation) throws IOException {
        Path backup = backupOf(target);
        for (int attempt = 1; ; attempt++) {
            Path temp = target.resolveSibling(TempFiles.name(backup.getFileName().toString()));
            try {
                linkOrCopy(target, temp, durability, operation);
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
                return backup;
            } catch (IOException | RuntimeException e) {
                TempFiles.deleteQuietly(temp);
                throw asBackupFailure(e, operation, target, backup);
            }
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
     * filesystem has them, else a durable copy. {@code link} must not exist.
     */
    public static void linkOrCopy(Path target, Path link, Durability durability, String operation)
            throws IOException {
        try {
            Files.createLink(link, target);
            return;
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            LOG.debug("no hard link for {} ({}); copying instead", target, e.toString());
        }
        Files.copy(target, link, StandardCopyOption.COPY_ATTRIBUTES);
        if (durability.syncsFile()) {
            try (FileChannel copy = FileChannel.open(link, java.nio.file.StandardOpenOption.WRITE)) {
                Fsync.file(copy, operation, target, "fsync copy of " + target.getFileName());
            }
        }
    }
}
