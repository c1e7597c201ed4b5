package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Where the library keeps its own state: transaction journals. Never in the user's folders.
 * (Lock files are in the folders written into, see {@link PathLocks}; a {@code locks/} folder
 * left here by an older version is unused and may be removed.)
 *
 * <p>The first of these that is set wins: the system property {@code atomicfiles.stateDir},
 * the environment variable {@code ATOMICFILES_STATE_DIR}, {@code $XDG_STATE_HOME/atomicfiles},
 * {@code ~/.local/state/atomicfiles}. A transaction's own {@code journalDir} option overrides
 * all of them for its journal.
 *
 * <p>A state or journal folder decides what recovery renames and deletes, so it is trusted
 * only as ssh trusts {@code ~/.ssh}, checked on every use ({@link #ensure}):
 * <ol>
 *   <li>Every symbolic link on its path must pass {@link LinkRule}: a link planted by another
 *       user in a shared folder would point us at a folder of the attacker's choosing.</li>
 *   <li>Missing folders are made one at a time, owner-only ({@code 0700}), each forced into its
 *       parent, so that a journal written in a new folder is not lost with the folder's entry at
 *       a power loss.</li>
 *   <li>The folder must be a folder, owned by this process's user, and writable by nobody else
 *       (no group or other write bit): whoever can write it could plant a journal that makes
 *       our recovery rename or delete files. Else: a clear error naming the folder, its owner and
 *       mode, and how to fix it. No exceptions.</li>
 * </ol>
 */
public final class StateDir {
    public static final String PROPERTY = "atomicfiles.stateDir";
    public static final String ENVIRONMENT = "ATOMICFILES_STATE_DIR";
    private static final int GROUP_OR_OTHER_WRITE = 0022;

    private StateDir() {
    }

    /** The state folder as configured now (it may not exist yet). */
    public static Path location() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Paths.get(property).toAbsolutePath();
        }
        String environment = System.getenv(ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return Paths.get(environment).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()) {
            return Paths.get(xdg, "atomicfiles");
        }
        return Paths.get(System.getProperty("user.home"), ".local", "state", "atomicfiles");
    }

    /** The default folder of transaction journals (the state folder), made when missing, and checked. */
    public static Path journals() throws IOException {
        return ensure(location());
    }

    /**
     * Makes {@code dir} and its missing parents (owner-only, each forced into its parent) and
     * checks that it can be trusted (see the class comment); returns it.
     *
     * @throws AtomicWriteException when it is not a folder, not the user's own, writable by
     *     others, or reached through a link the rule refuses
     */
    public static Path ensure(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (!isDefaultFileSystem(absolute)) {
            // In-memory and fault-injecting filesystems of the tests: no owners to check.
            // Made as below, each folder forced into its parent: a journal in a new folder whose
            // entry a power cut loses is lost with it (issue 8 item 16; where the filesystem
            // cannot force a folder, Fsync skips it).
            if (!Files.isDirectory(absolute)) {
                make(absolute);
            }
            return dir;
        }
        // Step 1: links on the path pass LinkRule (Targets resolves as a write does).
        Path real = Targets.resolve(absolute, true, "use state folder");
        // Step 2.
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            make(real);
        }
        // Step 3.
        check(real, dir);
        return dir;
    }

    /** Makes the missing folders of {@code dir}, top down, each 0700 and forced into its parent. */
    private static void make(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path next = missing.pop();
            try {
                Files.createDirectory(next, FileModes.ownerOnlyFolderAttribute(next));
            } catch (FileAlreadyExistsException madeMeanwhile) {
                continue; // step 3 checks what is there
            }
            Fsync.folder(next.getParent(), "create state folder", next);
        }
    }

    /** Step 3: a folder of this user's, writable by nobody else. */
    private static void check(Path real, Path configured) throws IOException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(real, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException noOwners) {
            return; // Windows: no numeric owners and modes to check
        } catch (NoSuchFileException e) {
            throw refused(configured, real, "it does not exist", "");
        }
        int uid = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode");
        if (!(Boolean) attributes.get("isDirectory")) {
            throw refused(configured, real, "it is not a folder", "");
        }
        int me = LinkRule.follower();
        if (me >= 0 && uid != me) {
            throw refused(configured, real, "it is owned by " + ownerName(real) + " (uid " + uid + "), not by you (uid "
                    + me + ")", "make it yours (chown " + me + " " + real + ") or ");
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw refused(configured, real, "it is writable by " + ((mode & 0020) != 0 ? "its group" : "")
                    + ((mode & 0022) == 0022 ? " and " : "") + ((mode & 0002) != 0 ? "all users" : "") + " (mode "
                    + String.format("%04o", mode & 07777) + ")", "run chmod go-w " + real + " or ");
        }
    }

    private static AtomicWriteException refused(Path configured, Path real, String why, String fix) {
        String shown = configured.equals(real) ? real.toString() : configured + " (" + real + ")";
        return new AtomicWriteException("refusing the state folder " + shown + ": " + why + ". atomicfiles keeps its"
                + " transaction journals there, and whoever owns or can write it could make recovery rename or delete"
                + " your files. To fix it, " + fix + "point " + ENVIRONMENT + " (or -D" + PROPERTY + ", or a"
                + " transaction's journalDir) at a folder of your own that only you can write", null,
                Map.of("operation", "use state folder", "path", real.toString()));
    }

    private static String ownerName(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException e) {
            return "another user";
        }
    }

    private static boolean isDefaultFileSystem(Path path) {
        return path.getFileSystem() == java.nio.file.FileSystems.getDefault();
    }
}
