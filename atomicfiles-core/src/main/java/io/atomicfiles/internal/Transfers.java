package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Atomic copy and move of one file.
 *
 * <p>A source given as a symbolic link stands for the file it points to, and is resolved like
 * a target ({@link Targets}): every link on the way must pass {@link LinkRule}, so a link planted
 * by another user in {@code /tmp} cannot make a copy read (and publish) a file of the victim's
 * choosing. The source is then opened without following a link, and must be a regular file: a
 * FIFO or a device would block the read for ever.
 */
public final class Transfers {
    private static final Log LOG = Log.of(Transfers.class);

    private Transfers() {
    }

    /**
     * Copies {@code source} to {@code target} through the write protocol: the target shows the
     * old content or the complete copy, never part of it. A new target takes the source's
     * permissions (as {@code cp} does); an existing one keeps its own.
     */
    public static WriteResult copy(Path source, Path target, WriteOptions options) throws IOException {
        Source resolved = requireSourceFile(source, "copy");
        Path from = resolved.path();
        FileModes.Found found = resolved.found();
        // A new target takes the source's permissions; known before the temp file is made, so
        // that it can be created with them (WriteProtocol.begin; null where the source has none).
        java.util.Set<java.nio.file.attribute.PosixFilePermission> sourceMode =
                found.kept() != null ? found.kept().permissions() : null;
        try (WriteProtocol write = WriteProtocol.begin(target, options, "copy", size(from), sourceMode, true)) {
            // isSameFile needs both files to exist: a new target is never the source.
            if (Stat.exists(write.target()) && Files.isSameFile(from, write.target())) {
                throw new IllegalArgumentException("copy: " + source + " and " + target + " are the same file");
            }
            try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(write.content());
            }
            return write.commit();
        }
    }

    /**
     * Moves {@code source} to {@code target}. Within one filesystem this is one atomic rename
     * (after keeping {@code target}'s old content as its backup). Across filesystems no rename
     * can be atomic, so the file is copied into the target's folder through the write protocol
     * (verified, renamed into place, its content and folder forced whatever durability the
     * options ask; only a folder that cannot be opened for that is let go, and only where the
     * options ask for no folder to be forced) and only then is the source deleted: a crash or
     * power cut in between leaves the file in both places, never in neither. A failure to delete
     * the source is not retried. When source and target are two names of one file (hard links),
     * the move leaves the target and removes the source name, as {@code mv} does.
     */
    public static Path move(Path source, Path requestedTarget, WriteOptions options) throws IOException {
        Path content = requireSourceFile(source, "move").path();
        // The source's own name (a link as source is moved as a link, within a filesystem).
        Path from = Targets.resolve(source, false, "move");
        Path target = Targets.resolveFile(requestedTarget, options.followSymlinks(), "move");
        if (content.equals(target) || from.equals(target)) {
            throw new IllegalArgumentException("move: " + source + " and " + requestedTarget + " are the same file");
        }
        Targets.createParents(target, options.durability().syncsFolder(), "move");
        List<PathLocks.Held> locks = PathLocks.acquireAll(List.of(from, target), options.lockTimeout());
        try {
            if (sameFileStore(from, target)) {
                try {
                    renameInPlace(from, target, options);
                    return target;
                } catch (AtomicMoveNotSupportedException e) {
                    // The same store seen through two mounts: rename(2) says EXDEV. Copy instead.
                }
            }
            // 1. The copy, made durable (content and folder, forceFolderBeforeDeleting says when a
            //    folder is let go) whatever durability was asked: the source is deleted next, and
            //    a power cut that kept that deletion but not the copy's rename would leave the file
            //    in neither place.
            copy(content, target, options.durability().syncsFile() ? options
                    : options.toBuilder().durability(Durability.FILE).build());
            if (!options.durability().syncsFolder()) {
                forceFolderBeforeDeleting(target, from);
            }
            // 2. Only then the source. A failure here is not retried (AfterPublishing): a second
            //    attempt would copy again and replace the target's backup (the content the copy
            //    replaced) with the copy itself.
            try {
                Files.delete(from);
            } catch (IOException e) {
                throw new AfterPublishing("move", from,
                        "delete source after copying it to " + target + " (the file is now in both places)", e);
            }
            if (options.durability().syncsFolder()) {
                Fsync.folder(from.getParent(), "move", from);
            }
            return target;
        } finally {
            PathLocks.releaseAll(locks);
        }
    }

    /**
     * The copy's folder forced for a move whose options did not ask for it ({@link Durability#FILE}
     * or {@code NONE}), before the source is deleted. A folder that cannot be opened to be forced
     * (a drop folder one may write but not read) is logged and the move goes on, as those
     * options allow: it asked for no folder to be forced, and failing here would leave the file
     * in both places. Any other failure of the fsync is final.
     */
    private static void forceFolderBeforeDeleting(Path target, Path source) throws IOException {
        try {
            Fsync.folder(target.getParent(), "move", target);
        } catch (AtomicWriteException e) {
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof java.nio.file.AccessDeniedException)) {
                cause = cause.getCause();
            }
            if (cause == null) {
                throw e;
            }
            LOG.get().warn("move {} to {}: its folder cannot be opened to be forced ({}); the source is deleted"
                    + " without that, as the options' durability allows", source, target, cause.toString());
        }
    }

    private static void renameInPlace(Path from, Path target, WriteOptions options) throws IOException {
        FileModes.Found found = FileModes.find(target);
        if (found.exists() && !found.symbolicLink()) {
            Targets.requireFileTarget(target, found, "move");
        }
        if (options.createNew() && found.exists()) {
            throw new FileAlreadyExistsException(target.toString(), null, "createNew: the target already exists");
        }
        if (options.backup() && !options.createNew()) {
            Backups.requireBackupName(target, "move");
        }
        if (options.expectedChecksum().isPresent()) {
            String actual = found.regularFile() ? TargetChecksum.sha256NoFollow(target) : "absent";
            if (!actual.equals(options.expectedChecksum().get())) {
                throw new IntegrityException("move", target, "target's current content (expectedChecksum)",
                        options.expectedChecksum().get(), actual);
            }
        }
        // The previous backup, set aside under a hidden name before the backup step replaces it:
        // the rename below can still fail (moving another user's file out of a sticky folder is
        // EPERM), and a move that did not happen must not have cost the backup it had.
        Path previousBackup = null;
        if (options.backup() && found.regularFile()) {
            previousBackup = Backups.setAside(target, "move");
            try {
                Backups.keep(target, found.links(), options.durability(), "move");
            } catch (IOException | RuntimeException e) {
                Backups.putBack(previousBackup, target, "move");
                throw e;
            }
        }
        try {
            if (options.createNew()) {
                // link(2) then unlink: fails atomically if the name was taken meanwhile.
                Files.createLink(target, from);
                Files.delete(from);
            } else {
                Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            // Thrown as it is: a caller tells "the name was taken" (createNew) and "two mounts of
            // one store" (copied across instead) by its type.
            Backups.putBack(previousBackup, target, "move");
            throw e;
        }
        Backups.forget(previousBackup);
        if (!options.createNew()) {
            removeSourceNameIfSameFile(from, target);
        }
        if (options.durability().syncsFolder()) {
            Fsync.folder(target.getParent(), "move", target);
            if (!from.getParent().equals(target.getParent())) {
                Fsync.folder(from.getParent(), "move", from);
            }
        }
    }

    /**
     * {@code rename(2)} between two names of one file (hard links) does nothing and reports
     * success (POSIX), which would leave the source in place while the move reported it gone.
     * The target already is the file: the source name is removed, as {@code mv} does.
     */
    private static void removeSourceNameIfSameFile(Path from, Path target) throws IOException {
        BasicFileAttributes left = Stat.attributes(from);
        if (left == null) {
            return;
        }
        BasicFileAttributes moved = Stat.attributes(target);
        if (moved != null && left.fileKey() != null && Objects.equals(left.fileKey(), moved.fileKey())) {
            Files.delete(from);
        }
    }

    private static boolean sameFileStore(Path a, Path b) throws IOException {
        return Files.getFileStore(a).equals(Files.getFileStore(b.getParent()));
    }

    private static long size(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
    }

    /** A copy's or move's source: its real path and what it is. */
    private record Source(Path path, FileModes.Found found) {
    }

    /**
     * The real path of the file {@code source} names, through its links (each checked by
     * {@link LinkRule}); it must be a regular file.
     *
     * @throws NoSuchFileException when there is no such file (or a dangling link)
     */
    private static Source requireSourceFile(Path source, String operation) throws IOException {
        Path real;
        try {
            real = Targets.resolve(source, true, operation);
        } catch (AtomicWriteException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                // A dangling link: there is no source, as for a path that names nothing.
                throw new NoSuchFileException(source.toString(), null, operation + ": the source does not exist ("
                        + e.getMessage() + ")");
            }
            throw e;
        }
        FileModes.Found found = FileModes.find(real);
        if (!found.exists()) {
            throw new NoSuchFileException(source.toString(), null, operation + ": the source does not exist");
        }
        if (!found.regularFile()) {
            String what = found.directory() ? "a folder" : found.special() != null ? found.special() : "not a file";
            throw new AtomicWriteException(operation + " " + source + " failed: the source is " + what
                    + ", not a regular file", null, Map.of("operation", operation, "path", source.toString()));
        }
        return new Source(real, found);
    }
}
