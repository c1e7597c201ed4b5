package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
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
        return walk(requested, followSymlinks, operation).path();
    }

    /**
     * {@link #resolve}, then refuses a target that is a folder. One {@code lstat} answers both
     * questions when the path is not a link (the common case: this runs before every write).
     */
    public static Path resolveFile(Path requested, boolean followSymlinks, String operation) throws IOException {
        Resolved resolved = walk(requested, followSymlinks, operation);
        if (resolved.attributes() != null && resolved.attributes().isDirectory()) {
            throw new AtomicWriteException(operation + " " + resolved.path()
                    + " failed: the target is a folder, not a file", null, context(operation, resolved.path()));
        }
        return resolved.path();
    }

    /** A resolved path and its own attributes (not following it), null when nothing is there. */
    private record Resolved(Path path, BasicFileAttributes attributes) {
    }

    private static Resolved walk(Path requested, boolean followSymlinks, String operation) throws IOException {
        Path path = requested.toAbsolutePath();
        if (path.getFileName() == null) {
            throw new IllegalArgumentException(operation + ": " + requested + " names no file");
        }
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
