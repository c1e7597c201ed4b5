package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a transaction's changes inside one folder, the root, even when someone who can write
 * inside the root swaps a folder for a symbolic link while the transaction runs.
 *
 * <p>Two checks:
 *
 * <ol>
 *   <li>When an operation is added ({@link #requireInside}): the path, resolved through its
 *       links (each checked by {@link LinkRule}), must lie below the root. What the transaction
 *       keeps is that resolved path: from then on it contains no link at all.</li>
 *   <li>Right before each change on disk ({@link #check}): creating a folder, a staged file or
 *       a keep link, a rename, a deletion. The path's folders are looked at one by one from the
 *       filesystem's root with {@code lstat} (no link followed, {@link PathWalk#node}); a
 *       symbolic link among them is refused. Since the path held no link when it was added, a
 *       link found now was swapped in since, and the kernel would follow it out of the root.
 *       This prevents a change made through a swapped folder, outside the root. A folder that
 *       is missing ends the walk: nothing below it exists, so the system call fails (or, for a
 *       folder being made, makes it where it was planned).</li>
 * </ol>
 *
 * <p>What stays possible: a swap between the check and the system call that follows it (a
 * window of one system call). Calls relative to a folder descriptor opened without following
 * links ({@code openat(O_NOFOLLOW)}, then {@code renameat}, {@code unlinkat}, {@code linkat},
 * {@code mkdirat}) would close it; Java's file API takes paths, and its one descriptor-relative
 * form ({@code SecureDirectoryStream}) has no {@code linkat} and no {@code mkdirat}, so the keep
 * links and new folders could not use it.
 */
public final class Confinement {
    /** No confinement: every check passes. */
    public static final Confinement NONE = new Confinement(null);

    private final Path root;

    private Confinement(Path root) {
        this.root = root;
    }

    /**
     * Confinement to {@code root}, an existing folder, taken by its real path (a link to the root
     * is followed once, here).
     */
    public static Confinement of(Path root) throws IOException {
        Path absolute = root.toAbsolutePath();
        if (!Stat.isDirectory(absolute.toRealPath())) {
            throw new AtomicWriteException("transaction: the root " + root + " is not a folder", null,
                    Map.of("operation", "transaction", "path", root.toString(), "step", "confinement"));
        }
        return new Confinement(absolute.toRealPath());
    }

    /**
     * Confinement to a root recorded earlier by {@link #of} (in a journal): taken as written,
     * not resolved again, so a link swapped in above it is refused by {@link #check} like any other.
     */
    public static Confinement recorded(Path realRoot) {
        return new Confinement(realRoot.toAbsolutePath().normalize());
    }

    /** Whether this confines at all. */
    public boolean confines() {
        return root != null;
    }

    /** The root's real path, or null for {@link #NONE}. */
    public Path root() {
        return root;
    }

    /**
     * Refuses {@code resolved} (a path whose links are already followed) unless it lies below
     * the root.
     *
     * @param requested the path as the caller gave it, for the message
     * @return {@code resolved}
     */
    public Path requireInside(Path resolved, String operation, Path requested) throws AtomicWriteException {
        if (root == null) {
            return resolved;
        }
        Path normal = resolved.normalize();
        if (!normal.startsWith(root) || normal.equals(root)) {
            throw refused(operation, requested, "leads outside the root " + root
                    + (normal.equals(requested.toAbsolutePath().normalize()) ? "" : " (to " + normal + ")"));
        }
        return normal;
    }

    /**
     * Refuses a change at {@code path} when a folder on its way is now a symbolic link, or when
     * it is not below the root. Called right before each system call that changes something.
     *
     * @param operation what is about to be done, for the message ("rename", "delete", ...)
     * @throws AtomicWriteException when refused; nothing was done
     * @throws IOException when a folder on the way cannot be looked at
     */
    public void check(Path path, String operation) throws IOException {
        if (root == null) {
            return;
        }
        Path normal = path.toAbsolutePath().normalize();
        if (!normal.startsWith(root) || normal.equals(root)) {
            throw refused(operation, path, "is not inside the root " + root);
        }
        Path folder = normal.getRoot();
        for (Path name : normal.getParent()) {
            folder = folder.resolve(name);
            PathWalk.Node node = PathWalk.node(folder);
            if (node == null || (!node.directory() && !node.link())) {
                return; // nothing below exists: the call fails, or makes the folder planned
            }
            if (node.link()) {
                throw refused(operation, path, "passes through " + folder + ", which is now a symbolic link (it was"
                        + " a folder when the transaction checked it); nothing was done through it, so that"
                        + " nothing outside the root " + root + " is touched");
            }
        }
    }

    /** {@link #check}, answering instead of throwing when refused (for clean-ups that may skip a name). */
    public boolean allows(Path path, String operation) throws IOException {
        try {
            check(path, operation);
            return true;
        } catch (AtomicWriteException refused) {
            return false;
        }
    }

    private AtomicWriteException refused(String operation, Path path, String why) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("operation", operation);
        context.put("path", path.toString());
        context.put("step", "confinement");
        context.put("root", root.toString());
        return new AtomicWriteException(operation + " " + path + " refused: it " + why, null, context);
    }

    @Override
    public String toString() {
        return root == null ? "unconfined" : "confined to " + root;
    }
}
