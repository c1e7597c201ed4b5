package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

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
        return walk(requested, followSymlinks, operation).path();
    }

    /**
     * {@link #resolve}, then refuses a target that is a folder. One {@code lstat} answers both
     * questions when the path is not a link (the common case: this runs before every write).
     */
    public static Path resolveFile(Path requested, boolean followSymlinks, String operation) throws IOException {
        Resolved resolved = walk(requested, followSymlinks, operation);
        if (resolved.attributes() != null && resolved.attributes().isDirectory()) {
            throw isAFolder(resolved.path(), operation);
        }
        return resolved.path();
    }

    private static AtomicWriteException isAFolder(Path target, String operation) {
        return new AtomicWriteException(operation + " " + target + " failed: the target is a folder, not a file",
                null, context(operation, target));
    }

    /** A resolved path and its own attributes (not following it), null when nothing is there. */
    private record Resolved(Path path, BasicFileAttributes attributes) {
    }

    /** {@code requested} as an absolute path; it must name a file (not a root). */
    public static Path absolute(Path requested, String operation) {
        Path path = requested.toAbsolutePath();
        if (path.getFileName() == null) {
            throw new IllegalArgumentException(operation + ": " + requested + " names no file");
        }
        return path;
    }

    private static Resolved walk(Path requested, boolean followSymlinks, String operation) throws IOException {
        Path path = absolute(requested, operation);
        // lstat, not Files.isSymbolicLink: that one answers "no" on an I/O error, and the write
        // would then replace the user's link with a regular file instead of writing through it.
        BasicFileAttributes attributes = inspect(path, operation);
        if (!followSymlinks) {
            return new Resolved(path, attributes);
        }
        for (int hops = 0; attributes != null && attributes.isSymbolicLink(); hops++) {
            if (hops == MAX_LINKS) {
                throw new AtomicWriteException(operation + " " + requested + " failed: more than " + MAX_LINKS
                        + " symbolic links (a loop?)", null, Targets.context(operation, requested));
            }
            Path link = Files.readSymbolicLink(path);
            path = path.resolveSibling(link).toAbsolutePath();
            attributes = inspect(path, operation);
        }
        if (attributes == null && !path.equals(requested.toAbsolutePath())) {
            throw new AtomicWriteException(operation + " " + requested + " failed: it is a dangling symbolic link to "
                    + path + " (nothing there to write through to)", null, Targets.context(operation, requested));
        }
        return new Resolved(path, attributes);
    }

    /** The path's own attributes, null when absent (or below a file); any other failure is the operation's. */
    private static BasicFileAttributes inspect(Path path, String operation) throws IOException {
        try {
            return Stat.attributes(path);
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, path, "inspect target", e);
        }
    }

    /** The target, its lock (held), and what was at the target when the lock was taken. */
    public record Locked(Path target, PathLocks.Held lock, FileModes.Found found) {
    }

    /**
     * Step 1 of a write: the lock of the path as named is taken first, then one stat under it
     * tells what is there. Most targets are no link, and then that one stat also tells the
     * write what to keep (mode, owner, group) and whether there is a file to back up. A link to
     * write through (rare) gives its lock back; its final target is resolved and locked
     * instead. A folder is refused.
     */
    public static Locked lock(Path requested, boolean followSymlinks, Duration lockTimeout, String operation)
            throws IOException {
        Path target = absolute(requested, operation);
        boolean resolved = false;
        while (true) {
            PathLocks.Held lock = PathLocks.acquire(target, lockTimeout);
            try {
                FileModes.Found found;
                try {
                    found = FileModes.find(target);
                } catch (IOException e) {
                    // Such as "Permission denied" on a folder of the path.
                    throw AtomicWriteException.failed(operation, target, "inspect target", e);
                }
                if (found.symbolicLink() && followSymlinks && !resolved) {
                    lock.close();
                    target = resolveThroughLinks(requested, operation);
                    resolved = true;
                    continue;
                }
                if (found.directory()) {
                    throw isAFolder(target, operation);
                }
                return new Locked(target, lock, found);
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
        }
    }

    private static Path resolveThroughLinks(Path requested, String operation) throws IOException {
        try {
            return resolveFile(requested, true, operation);
        } catch (AtomicWriteException e) {
            throw e;
        } catch (IOException e) {
            // Such as a link that cannot be read.
            throw AtomicWriteException.failed(operation, requested, "resolve target", e);
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
