package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** Atomic copy and move of one file. */
public final class Transfers {
    private Transfers() {
    }

    /**
     * Copies {@code source} to {@code target} through the write protocol: the target shows the
     * old content or the complete copy, never part of it. A new target takes the source's
     * permissions (as {@code cp} does); an existing one keeps its own.
     */
    public static WriteResult copy(Path source, Path target, WriteOptions options) throws IOException {
        requireRegularFile(source, "copy");
        long size = Files.size(source);
        try (WriteProtocol write = WriteProtocol.begin(target, options, "copy", size)) {
            // isSameFile needs both files to exist: a new target is never the source.
            if (Stat.exists(write.target()) && Files.isSameFile(source, write.target())) {
                throw new IllegalArgumentException("copy: " + source + " and " + target + " are the same file");
            }
            if (FileModes.supportsPosix(source) && FileModes.supportsPosix(write.target())) {
                write.newFilePermissions(Files.getPosixFilePermissions(source));
            }
            try (InputStream in = Files.newInputStream(source)) {
                in.transferTo(write.content());
            }
            return write.commit();
        }
    }

    /**
     * Moves {@code source} to {@code target}. Within one filesystem this is one atomic rename
     * (after keeping {@code target}'s old content as its backup). Across filesystems no rename
     * can be atomic, so the file is copied into the target's folder through the write protocol
     * (durable, verified, renamed into place) and only then is the source deleted: a crash in
     * between leaves the file in both places, never in neither.
     */
    public static Path move(Path source, Path requestedTarget, WriteOptions options) throws IOException {
        requireRegularFile(source, "move");
        Path from = source.toAbsolutePath();
        Path target = Targets.resolveFile(requestedTarget, options.followSymlinks(), "move");
        Targets.createParents(target, options.durability().syncsFolder(), "move");
        if (Stat.exists(target) && Files.isSameFile(from, target)) {
            throw new IllegalArgumentException("move: " + source + " and " + requestedTarget + " are the same file");
        }
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
            copy(from, target, options);
            try {
                Files.delete(from);
            } catch (IOException e) {
                throw AtomicWriteException.failed("move", from,
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

    private static void renameInPlace(Path from, Path target, WriteOptions options) throws IOException {
        boolean targetExists = Stat.exists(target);
        if (options.createNew() && targetExists) {
            throw new FileAlreadyExistsException(target.toString(), null, "createNew: the target already exists");
        }
        if (options.expectedChecksum().isPresent()) {
            String actual = targetExists ? Hashing.sha256Hex(target) : "absent";
            if (!actual.equals(options.expectedChecksum().get())) {
                throw new IntegrityException("move", target, "target's current content (expectedChecksum)",
                        options.expectedChecksum().get(), actual);
            }
        }
        if (options.backup() && targetExists && Stat.isRegularFile(target)) {
            Backups.keep(target, options.durability(), "move");
        }
        if (options.createNew()) {
            // link(2) then unlink: fails atomically if the name was taken meanwhile.
            Files.createLink(target, from);
            Files.delete(from);
        } else {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        if (options.durability().syncsFolder()) {
            Fsync.folder(target.getParent(), "move", target);
            if (!from.getParent().equals(target.getParent())) {
                Fsync.folder(from.getParent(), "move", from);
            }
        }
    }

    private static boolean sameFileStore(Path a, Path b) throws IOException {
        return Files.getFileStore(a).equals(Files.getFileStore(b.getParent()));
    }

    private static void requireRegularFile(Path source, String operation) throws IOException {
        BasicFileAttributes self = Stat.attributes(source);
        if (self == null) {
            throw new NoSuchFileException(source.toString(), null, operation + ": the source does not exist");
        }
        // A link as source stands for its target (a dangling one throws NoSuchFileException).
        BasicFileAttributes followed = self.isSymbolicLink()
                ? Files.readAttributes(source, BasicFileAttributes.class) : self;
        if (!followed.isRegularFile()) {
            throw new AtomicWriteException(operation + " " + source + " failed: the source is not a regular file",
                    null, java.util.Map.of("operation", operation, "path", source.toString()));
        }
    }
}
