package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Strict questions about a path, never following a final symbolic link.
 *
 * <p>{@link Files#exists} answers {@code false} when it cannot tell (permission denied, an I/O
 * error), which is the wrong answer for a protocol: "the rename already happened" or "there is
 * nothing to back up" would be decided on a failure. These methods answer {@code false} only
 * for "no such file" (or "a parent is a file", which means the same), and throw on every other
 * failure.
 */
public final class Stat {
    private Stat() {
    }

    private static final java.nio.file.FileSystem DEFAULT = java.nio.file.FileSystems.getDefault();

    /**
     * {@code path} as a {@link java.io.File} that names exactly the same bytes, for the
     * {@code java.io} calls that make one system call and throw nothing ({@link Unlink},
     * {@link HardLinks}), and for the bytes {@link UntimedStat} names; null when there is none:
     * another filesystem than the default one, or a name whose bytes do not survive the trip
     * through text in the platform's encoding (bytes invalid in it show as U+FFFD; a few
     * encodings map some valid bytes back to others). The
     * {@code File}'s own path is compared with {@code path}, byte for byte, with no system call:
     * a {@code File} naming other bytes would be another file, or none.
     */
    static java.io.File ioFile(Path path) {
        if (path.getFileSystem() != DEFAULT) {
            return null;
        }
        java.io.File file = new java.io.File(path.toString());
        try {
            return file.toPath().equals(path) ? file : null;
        } catch (java.nio.file.InvalidPathException unmappable) {
            return null;
        }
    }

    /** The attributes of {@code path}, or null when there is no such file. */
    public static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            if (meansAbsent(e, path)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Whether {@code failure}, from an operation on {@code path}, means only that nothing is
     * there: "no such file", or ENOTDIR (Java has no type for it) because a parent is a file.
     * Permission denied and every other failure mean "cannot tell".
     */
    public static boolean meansAbsent(IOException failure, Path path) {
        if (failure instanceof NoSuchFileException) {
            return true;
        }
        return failure instanceof FileSystemException && !(failure instanceof AccessDeniedException)
                && isBelowAFile(path);
    }

    /**
     * Whether the nearest ancestor of {@code path} that exists is something other than a
     * folder: then {@code path} cannot exist, and operations on it fail with ENOTDIR.
     */
    public static boolean isBelowAFile(Path path) {
        for (Path ancestor = path.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
            try {
                return !Files.readAttributes(ancestor, BasicFileAttributes.class).isDirectory();
            } catch (IOException absentOrBelowAFile) {
                // look further up
            }
        }
        return false;
    }

    public static boolean exists(Path path) throws IOException {
        return attributes(path) != null;
    }

    public static boolean isRegularFile(Path path) throws IOException {
        BasicFileAttributes attributes = attributes(path);
        return attributes != null && attributes.isRegularFile();
    }

    public static boolean isDirectory(Path path) throws IOException {
        BasicFileAttributes attributes = attributes(path);
        return attributes != null && attributes.isDirectory();
    }
}
