package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
 * <p>Renames ({@link #renameOver}), deletions ({@link #deleteIfExists}) and reads of sources
 * ({@link #newInputStream}) go further: after the check they are made relative to folder
 * descriptors opened from the root one component at a time without following links
 * ({@link FolderHandle}: {@code openat(O_NOFOLLOW)}, then {@code renameat}, {@code unlinkat},
 * {@code openat}), so no swap, however timed, can redirect them.
 *
 * <p>What stays possible: creating a new name (a folder, a staged file, a keep link) is a check
 * followed by a call on the path, so a swap timed into the instant between the two can make the
 * new name appear in the folder the link points to. Creation is exclusive (mkdir, {@code O_EXCL},
 * link(2) never replace), so nothing existing outside is replaced, moved or deleted, but that
 * new name is left there. Java's file API has no {@code mkdirat} and no {@code linkat}, which
 * would close this too. Where the descriptor-relative calls are not available (a filesystem
 * without {@code SecureDirectoryStream}, or a folder on the way that may be passed but not read),
 * renames, deletions and reads fall back to the check and the path call: the same one-call window.
 */
public final class Confinement {
    /** No confinement: every check passes. */
    public static final Confinement NONE = new Confinement(null);

    /**
     * For tests: run after the checks of {@link #renameOver} and {@link #deleteIfExists}, right
     * before their system calls (where a swap is timed to defeat a check); null in production.
     */
    static volatile Runnable beforeCallForTests;

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

    /**
     * {@link HardLinks#renameOver}, confined: the rename is {@code renameat} between the two
     * folders opened from the root without following links ({@link FolderHandle}), so that no
     * swap, however timed, can redirect it outside the root. Where the filesystem offers no such
     * calls (or a folder may be passed but not read), {@link #check} then the path's rename.
     *
     * @return whether {@code from} had to be unlinked because the two names were one file
     * @throws AtomicWriteException when a folder on the way is a symbolic link; nothing was done
     */
    public boolean renameOver(Path from, Path to) throws IOException {
        if (root == null) {
            return HardLinks.renameOver(from, to);
        }
        check(from, "rename");
        check(to, "rename");
        runTestHook();
        Path fromPath = from.toAbsolutePath().normalize();
        Path toPath = to.toAbsolutePath().normalize();
        try (FolderHandle fromFolder = FolderHandle.open(root, fromPath.getParent())) {
            if (fromFolder == null) {
                return HardLinks.renameOver(from, to);
            }
            boolean oneFolder = fromPath.getParent().equals(toPath.getParent());
            try (FolderHandle toFolder = oneFolder ? null : FolderHandle.open(root, toPath.getParent())) {
                if (!oneFolder && toFolder == null) {
                    return HardLinks.renameOver(from, to);
                }
                FolderHandle target = oneFolder ? fromFolder : toFolder;
                fromFolder.moveTo(fromPath.getFileName(), target, toPath.getFileName());
                // rename(2) between two links of one file does nothing: the old name goes (see HardLinks).
                BasicFileAttributes left = fromFolder.attributes(fromPath.getFileName());
                if (left == null || left.fileKey() == null) {
                    return false;
                }
                BasicFileAttributes moved = target.attributes(toPath.getFileName());
                if (moved == null || !left.fileKey().equals(moved.fileKey())) {
                    return false;
                }
                return fromFolder.deleteIfExists(fromPath.getFileName());
            }
        } catch (FolderHandle.LinkOnTheWay e) {
            throw refused("rename", from, "passes through " + e.link + ", which is now a symbolic link (it was a folder"
                    + " when the transaction checked it); nothing was done through it");
        }
    }

    /**
     * Deletes {@code path} if it is there, confined like {@link #renameOver} ({@code unlinkat}
     * in its folder opened from the root without following links).
     *
     * @return whether a file was deleted
     * @throws AtomicWriteException when a folder on the way is a symbolic link; nothing was done
     */
    public boolean deleteIfExists(Path path) throws IOException {
        if (root == null) {
            return Unlink.ifExists(path);
        }
        check(path, "delete");
        runTestHook();
        Path normal = path.toAbsolutePath().normalize();
        try (FolderHandle folder = FolderHandle.open(root, normal.getParent())) {
            return folder == null ? Files.deleteIfExists(path) : folder.deleteIfExists(normal.getFileName());
        } catch (java.nio.file.NoSuchFileException folderMissing) {
            return false; // as unlink(2) says of a missing folder: nothing to delete
        } catch (FolderHandle.LinkOnTheWay e) {
            throw refused("delete", path, "passes through " + e.link + ", which is now a symbolic link; nothing was"
                    + " deleted through it");
        }
    }

    private static void runTestHook() {
        Runnable hook = beforeCallForTests;
        if (hook != null) {
            hook.run();
        }
    }

    /**
     * Opens {@code file} for reading, confined like {@link #renameOver}: {@code openat} in its
     * folder opened from the root without following links, and not following {@code file} if it
     * is a link, so that a swap cannot make the transaction copy a file from outside the root.
     *
     * @throws AtomicWriteException when a folder on the way is a symbolic link; nothing was read
     */
    public java.io.InputStream newInputStream(Path file) throws IOException {
        if (root == null) {
            return Files.newInputStream(file);
        }
        check(file, "read");
        runTestHook();
        Path normal = file.toAbsolutePath().normalize();
        FolderHandle folder;
        try {
            folder = FolderHandle.open(root, normal.getParent());
        } catch (FolderHandle.LinkOnTheWay e) {
            throw refused("read", file, "passes through " + e.link + ", which is now a symbolic link; nothing was"
                    + " read through it");
        }
        if (folder == null) {
            return Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        try (folder) {
            // The stream keeps its own descriptor: the folder's may be closed now.
            return folder.newInputStream(normal.getFileName());
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
