package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Step 1 of every write: from the path the caller named to the file that will change.
 *
 * <p>Paths are resolved by the library itself, one component at a time ({@link PathWalk}), and
 * every symbolic link on the way must pass {@link LinkRule} (the kernel's protected_symlinks
 * rule) before it is followed: in a folder of the path, at the target, in a chain of links.
 * The result is the target's real path: its folder free of links, {@code .} and {@code ..}.
 *
 * <p>The real path of a verified folder of the default filesystem is remembered (at most
 * {@value #MAX_VERIFIED_FOLDERS}), so that writing to a folder again costs no extra system call;
 * only folders whose every component can change only in ways the rule allows are remembered
 * (see {@link PathWalk.Walk#stable()}). A folder owned by a third user inside {@code /tmp} is
 * walked again on every write. Folders of other filesystems (in memory, or the fault-injecting
 * wrappers of the tests, whose tests count calls) are walked every time.
 */
public final class Targets {
    private static final int MAX_VERIFIED_FOLDERS = 1024;
    /** Folders as the callers named them (absolute) → their verified real paths. */
    private static final ConcurrentHashMap<Path, Path> VERIFIED_FOLDERS = new ConcurrentHashMap<>();
    /** Attempts at making one folder path while others race to change it, before giving up. */
    private static final int FOLDER_ATTEMPTS = 64;

    private Targets() {
    }

    /**
     * The absolute real path that receives the content. When {@code followSymlinks} and the path
     * is a symbolic link, that is the link's final target (relative links resolve against the
     * link's folder), so the link keeps pointing at the new content. A dangling link is an
     * error: writing through it would create a file somewhere the caller never named. Every link
     * followed must pass {@link LinkRule}. Missing folders are not made here.
     */
    public static Path resolve(Path requested, boolean followSymlinks, String operation) throws IOException {
        return resolved(requested, followSymlinks, operation).path();
    }

    /**
     * {@link #resolve}, then refuses a target that is a folder or a special file (a FIFO, a
     * device, a socket): only regular files (or nothing yet) are written.
     */
    public static Path resolveFile(Path requested, boolean followSymlinks, String operation) throws IOException {
        Resolved resolved = resolved(requested, followSymlinks, operation);
        if (resolved.found().exists()) {
            requireFileTarget(resolved.path(), resolved.found(), operation);
        }
        return resolved.path();
    }

    /**
     * The target, its lock (held), and what was at the target when the lock was taken; with the
     * target's folder ({@code target.getParent()}) and name ({@code target.getFileName()} as text),
     * which the write needs again and again (its temp file, its folder's fsync) and which cost a
     * new path or string each time they are asked of {@code target}.
     */
    public record Locked(Path target, PathLocks.Held lock, FileModes.Found found, Path folder, String name) {
    }

    /**
     * Step 1 of a write: the folder is verified (and missing folders made, each new one forced
     * into its parent when {@code durable}), the lock of the target is taken, then one stat under
     * it tells what is there. Most targets are no link, and then that one stat also tells the
     * write what to keep (mode, owner, group) and whether there is a file to back up. A link to
     * write through (rare) gives its lock back; its final target is resolved (each link checked
     * by {@link LinkRule}) and locked instead. A folder or a special file is refused.
     */
    public static Locked lock(Path requested, boolean followSymlinks, boolean durable, Duration lockTimeout,
            String operation) throws IOException {
        Path absolute = absolute(requested, operation);
        Site site = siteOf(absolute);
        Path requestedFolder = site.requestedFolder();
        String name = site.name();
        Path known = site.known();
        Path folderPath;
        Path target;
        if (known != null) {
            // Remembered from a walk (see folderOf). When the caller named the real folder itself
            // (the common case), the target is the caller's own path: no new path is made, and its
            // hash, which the lock's and the temp files' maps ask for, is the one it cached already.
            folderPath = known;
            target = site.folderIsReal() ? absolute : known.resolve(name);
        } else {
            PathWalk.Walk folder = walk(requestedFolder, operation, requested);
            if (!folder.complete()) {
                folder = makeFolders(requestedFolder, folder, durable, operation, requested);
            }
            folderPath = folder.path();
            target = folderPath.resolve(name);
        }
        boolean resolved = false;
        while (true) {
            // The folder is real (walked, or remembered from a walk): no realpath(3) again.
            PathLocks.Held lock = PathLocks.acquireResolved(target, lockTimeout);
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
                    target = throughLinks(target, operation, requested);
                    folderPath = target.getParent();
                    name = target.getFileName().toString();
                    resolved = true;
                    continue;
                }
                if (found.exists() && !found.symbolicLink()) {
                    requireFileTarget(target, found, operation);
                }
                return new Locked(target, lock, found, folderPath, name);
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
        }
    }

    /**
     * A path's folder and name, and the verified real path of that folder when one is remembered
     * ({@code known}, else null; {@code folderIsReal} when it is the folder as named).
     */
    private record Site(Path requestedFolder, String name, Path known, boolean folderIsReal) {
    }

    /** Paths written to → their {@link Site}: see {@link #siteOf}. */
    private static final ConcurrentHashMap<Path, Site> SITES = new ConcurrentHashMap<>();

    /**
     * The {@link Site} of {@code absolute}. A write asks this of the same few paths again and
     * again; its folder and name are functions of the path's text, so they are remembered (at most
     * {@value #MAX_VERIFIED_FOLDERS} paths) rather than made anew (two paths and a string per
     * write). The remembered folder's real path is used only while {@link #VERIFIED_FOLDERS} still
     * holds that very entry: a folder forgotten there (walked again, or made again) is looked up
     * afresh, so this remembers nothing that {@code VERIFIED_FOLDERS} does not.
     */
    private static Site siteOf(Path absolute) {
        if (!isDefaultFileSystem(absolute)) {
            return new Site(absolute.getParent(), absolute.getFileName().toString(), null, false);
        }
        Site site = SITES.get(absolute);
        if (site != null && site.known() != null && VERIFIED_FOLDERS.get(site.requestedFolder()) == site.known()) {
            return site;
        }
        Path folder = site != null ? site.requestedFolder() : absolute.getParent();
        String name = site != null ? site.name() : absolute.getFileName().toString();
        Path known = VERIFIED_FOLDERS.get(folder);
        site = new Site(folder, name, known, known != null && known.equals(folder));
        if (known != null) {
            if (SITES.size() >= MAX_VERIFIED_FOLDERS) {
                SITES.clear();
            }
            SITES.put(absolute, site);
        }
        return site;
    }

    /**
     * Creates the target's missing parent folders, each checked as it is made (a name someone
     * else made meanwhile must pass {@link LinkRule} like any other). With {@code durable}, each
     * new folder's own parent is forced too, so the folders survive a power loss along with the
     * file in them.
     */
    public static void createParents(Path target, boolean durable, String operation) throws IOException {
        Path absolute = absolute(target, operation);
        PathWalk.Walk folder = folderOf(absolute, operation, target);
        if (!folder.complete()) {
            makeFolders(absolute.getParent(), folder, durable, operation, target);
        } else if (folder.node() == KNOWN_FOLDER
                && !Files.isDirectory(folder.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // Remembered, and removed since.
            remakeParents(target, durable, operation);
        }
    }

    /** {@link #createParents}, without trusting a folder verified before: it may have been removed since. */
    static void remakeParents(Path target, boolean durable, String operation) throws IOException {
        Path absolute = absolute(target, operation);
        forgetFolder(absolute.getParent());
        PathWalk.Walk folder = walk(absolute.getParent(), operation, target);
        if (!folder.complete()) {
            makeFolders(absolute.getParent(), folder, durable, operation, target);
        }
    }

    /** {@code requested} as an absolute path; it must name a file (not a root). */
    public static Path absolute(Path requested, String operation) {
        Path path = requested.toAbsolutePath();
        // getNameCount, not getFileName: the same answer (a root has no name) without a new path.
        if (path.getNameCount() == 0) {
            throw new IllegalArgumentException(operation + ": " + requested + " names no file");
        }
        return path;
    }

    /** For tests: forget every verified folder, so that the next write walks its folder again. */
    static void forgetVerifiedFolders() {
        VERIFIED_FOLDERS.clear();
    }

    static Map<String, Object> context(String operation, Path path) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("operation", operation);
        context.put("path", path.toString());
        return context;
    }

    // ---------------------------------------------------------------- resolution

    /** A resolved path and what is there (not following it; {@link FileModes.Found#NOTHING} when nothing). */
    private record Resolved(Path path, FileModes.Found found) {
    }

    private static Resolved resolved(Path requested, boolean followSymlinks, String operation) throws IOException {
        Path absolute = absolute(requested, operation);
        PathWalk.Walk folder = folderOf(absolute, operation, requested);
        if (!folder.complete()) {
            if (folder.missingFromLink()) {
                throw new AtomicWriteException(operation + " " + requested + " failed: a symbolic link on its path"
                        + " points to a folder that does not exist (" + folder.path() + ")", null,
                        context(operation, requested));
            }
            // Folders the caller will have made: nothing is there yet.
            return new Resolved(folder.path().resolve(absolute.getFileName().toString()), FileModes.Found.NOTHING);
        }
        Path target = folder.path().resolve(absolute.getFileName().toString());
        FileModes.Found found = inspect(target, operation);
        if (found.symbolicLink() && followSymlinks) {
            target = throughLinks(target, operation, requested);
            found = inspect(target, operation);
        }
        return new Resolved(target, found);
    }

    /**
     * The verified real folder of {@code absolute} (a file's path): remembered, or walked. A walk
     * that found every component and can be trusted to stay as it saw it is remembered.
     */
    private static PathWalk.Walk folderOf(Path absolute, String operation, Path requested) throws IOException {
        Path folder = absolute.getParent();
        Path known = isDefaultFileSystem(folder) ? VERIFIED_FOLDERS.get(folder) : null;
        if (known != null) {
            return new PathWalk.Walk(known, KNOWN_FOLDER, known.getParent(), null, List.of(), false, false,
                    false, true);
        }
        return walk(folder, operation, requested);
    }

    /** Stands for a folder's attributes that were seen when it was verified and not kept. */
    private static final PathWalk.Node KNOWN_FOLDER = new PathWalk.Node(false, true, -1, -1);

    private static PathWalk.Walk walk(Path folder, String operation, Path requested) throws IOException {
        PathWalk.Walk walk;
        try {
            walk = PathWalk.walk(folder, true, operation, requested);
        } catch (AtomicWriteException e) {
            throw e;
        } catch (IOException e) {
            // Such as "Permission denied" on a folder of the path: cannot tell, so no write.
            throw AtomicWriteException.failed(operation, requested, "resolve folder " + folder, e);
        }
        if (walk.complete() && !walk.node().directory()) {
            // A file where a folder is named: nothing can be below it. Callers decide (a
            // transaction plan fails at its commit, a write when it makes its folders).
            return new PathWalk.Walk(walk.path(), null, walk.folder(), walk.folderNode(), List.of(), false, true,
                    walk.followedLinks(), false);
        }
        if (walk.complete() && walk.stable() && isDefaultFileSystem(folder)) {
            if (VERIFIED_FOLDERS.size() >= MAX_VERIFIED_FOLDERS) {
                VERIFIED_FOLDERS.clear();
            }
            VERIFIED_FOLDERS.put(folder, walk.path());
        }
        return walk;
    }

    static boolean isDefaultFileSystem(Path path) {
        return path.getFileSystem() == java.nio.file.FileSystems.getDefault();
    }

    private static void forgetFolder(Path folder) {
        VERIFIED_FOLDERS.remove(folder);
    }

    /**
     * Makes the folders a walk found missing, one at a time, walking again after each: a name
     * made meanwhile by someone else is then checked like any other. Never makes a folder that a
     * link points to (that is a dangling link, and the caller never named that place).
     */
    private static PathWalk.Walk makeFolders(Path folder, PathWalk.Walk walk, boolean durable, String operation,
            Path requested) throws IOException {
        for (int attempt = 0; attempt < FOLDER_ATTEMPTS; attempt++) {
            if (walk.complete()) {
                return walk;
            }
            if (walk.belowAFile()) {
                throw new AtomicWriteException(operation + " " + requested + " failed at step 'create parent folders': "
                        + "a file is in the way where its folder " + folder + " must be", null,
                        context(operation, requested));
            }
            if (walk.missingFromLink()) {
                throw new AtomicWriteException(operation + " " + requested + " failed: a symbolic link on its path"
                        + " points to a folder that does not exist (" + walk.path() + "); folders are not made"
                        + " where only a link leads", null, context(operation, requested));
            }
            Path next = walk.folder().resolve(walk.missing().get(0));
            try {
                Files.createDirectory(next);
                if (durable) {
                    // The new folder's entry in its parent survives a power loss.
                    Fsync.folder(walk.folder(), operation, requested);
                }
            } catch (FileAlreadyExistsException madeMeanwhile) {
                // By another writer, or planted: the next walk decides.
            } catch (FileSystemException e) {
                throw AtomicWriteException.failed(operation, requested, "create parent folders", e);
            }
            walk = walk(folder, operation, requested);
        }
        throw new AtomicWriteException(operation + " " + requested + " failed: its folder " + folder
                + " kept changing while it was being made", null, context(operation, requested));
    }

    /**
     * The final target of the link at {@code link} (in a verified folder): every link of the
     * chain, and every component of their targets, checked by {@link LinkRule}. A dangling link
     * is an error.
     */
    private static Path throughLinks(Path link, String operation, Path requested) throws IOException {
        PathWalk.Walk walk;
        try {
            walk = PathWalk.walk(link, true, operation, requested);
        } catch (AtomicWriteException e) {
            throw e;
        } catch (IOException e) {
            // Such as a link that cannot be read.
            throw AtomicWriteException.failed(operation, requested, "resolve target", e);
        }
        if (walk.belowAFile() || !walk.complete()) {
            throw new AtomicWriteException(operation + " " + requested + " failed: it is a dangling symbolic link to "
                    + walk.path() + " (nothing there to write through to)",
                    new java.nio.file.NoSuchFileException(walk.path().toString()), context(operation, requested));
        }
        return walk.path();
    }

    /** What is at {@code path} (not following it); failures other than "nothing there" are the operation's. */
    private static FileModes.Found inspect(Path path, String operation) throws IOException {
        try {
            return FileModes.find(path);
        } catch (IOException e) {
            throw AtomicWriteException.failed(operation, path, "inspect target", e);
        }
    }

    /**
     * Refuses a target that is not a regular file: a folder, or a special file. A FIFO or a
     * device would be replaced by the rename (a named pipe other programs talk through, gone), and
     * reading one (a backup by copy, an expected checksum, a copy's source) would block forever.
     */
    static void requireFileTarget(Path target, FileModes.Found found, String operation) throws AtomicWriteException {
        if (found.directory()) {
            throw new AtomicWriteException(operation + " " + target + " failed: the target is a folder, not a file",
                    null, context(operation, target));
        }
        if (found.special() != null) {
            throw new AtomicWriteException(operation + " " + target + " failed: the target is " + found.special()
                    + ", not a regular file; atomicfiles writes only regular files", null, context(operation, target));
        }
    }
}
