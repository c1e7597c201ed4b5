package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Step 1 of every write: from the path the caller named to the file that will change. */
public final class Targets {
    /** The most links followed before a chain is taken for a loop (Linux's own limit is 40). */
    private static final int MAX_LINKS = 40;

    private Targets() {
    }

    /**
     * The absolute path that receives the content. When {@code followSymlinks} and the path is
     * a symbolic link, that is the link's final target (relative links resolve against the
     * link's folder), so the link keeps pointing at the new content. A dangling link is an
     * error: writing through it would create a file somewhere the caller never named.
     */
    public static Path resolve(Path requested, boolean followSymlinks, String operation) throws IOException {
        Path path = requested.toAbsolutePath();
        if (path.getFileName() == null) {
            throw new IllegalArgumentException(operation + ": " + requested + " names no file");
        }
        if (!followSymlinks) {
            return path;
        }
        // lstat, not Files.isSymbolicLink: that one answers "no" on an I/O error, and the write
        // would then replace the user's link with a regular file instead of writing through it.
        for (int hops = 0; isSymbolicLink(path); hops++) {
            if (hops == MAX_LINKS) {
                throw new AtomicWriteException(operation + " " + requested + " failed: more than " + MAX_LINKS
                        + " symbolic links (a loop?)", null, Targets.context(operation, requested));
            }
            Path link = Files.readSymbolicLink(path);
            path = path.resolveSibling(link).toAbsolutePath();
        }
        if (!path.equals(requested.toAbsolutePath()) && !Stat.exists(path)) {
            throw new AtomicWriteException(operation + " " + requested + " failed: it is a dangling symbolic link to "
                    + path + " (nothing there to write through to)", null, Targets.context(operation, requested));
        }
        return path;
    }

    private static boolean isSymbolicLink(Path path) throws IOException {
        BasicFileAttributes attributes = Stat.attributes(path);
        return attributes != null && attributes.isSymbolicLink();
    }

    /** Refuses a target that is a folder (or anything but a regular file). */
    public static void requireFileOrAbsent(Path target, String operation) throws IOException {
        boolean folder;
        try {
            folder = Stat.isDirectory(target);
        } catch (IOException e) {
            // Such as "Not a directory": a parent of the target is a file.
            throw AtomicWriteException.failed(operation, target, "inspect target", e);
        }
        if (folder) {
            throw new AtomicWriteException(operation + " " + target + " failed: the target is a folder, not a file",
                    null, context(operation, target));
        }
    }

    /**
     * Creates the target's missing parent folders. With {@code durable}, each new folder's own
     * parent is forced too, so the folders survive a power loss along with the file in them.
     */
    public static void createParents(Path target, boolean durable, String operation) throws IOException {
        Path parent = target.getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return;
        }
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            Files.createDirectories(parent);
        } catch (FileSystemException e) {
            throw AtomicWriteException.failed(operation, target, "create parent folders", e);
        }
        if (durable) {
            for (Path created = parent; created != null && !created.equals(existing); created = created.getParent()) {
                Fsync.folder(created.getParent(), operation, target);
            }
        }
    }

    static java.util.Map<String, Object> context(String operation, Path path) {
        java.util.Map<String, Object> context = new java.util.LinkedHashMap<>();
        context.put("operation", operation);
        context.put("path", path.toString());
        return context;
    }
}
