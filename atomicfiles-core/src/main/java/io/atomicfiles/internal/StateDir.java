package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the library keeps its own state: transaction journals and lock files. Never in the
 * user's folders.
 *
 * <p>The first of these that is set wins: the system property {@code atomicfiles.stateDir},
 * the environment variable {@code ATOMICFILES_STATE_DIR}, {@code $XDG_STATE_HOME/atomicfiles},
 * {@code ~/.local/state/atomicfiles}. A transaction's own {@code journalDir} option overrides
 * all of them for its journal.
 */
public final class StateDir {
    public static final String PROPERTY = "atomicfiles.stateDir";
    public static final String ENVIRONMENT = "ATOMICFILES_STATE_DIR";

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

    /** The folder of cross-process lock files, created (owner-only) when missing. */
    public static Path locks() throws IOException {
        return ensure(location().resolve("locks"));
    }

    /** The default folder of transaction journals, created (owner-only) when missing. */
    public static Path journals() throws IOException {
        return ensure(location());
    }

    /** Creates {@code dir} and its parents, owner-only where the platform has POSIX modes. */
    public static Path ensure(Path dir) throws IOException {
        if (!ENSURED.contains(dir)) {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, FileModes.ownerOnlyFolderAttribute(dir));
            }
            if (dir.getFileSystem() == java.nio.file.FileSystems.getDefault()) {
                ENSURED.add(dir);
            }
        }
        return dir;
    }

    /** Forgets that {@code dir} exists, so the next {@link #ensure} checks again. */
    public static void forget(Path dir) {
        ENSURED.remove(dir);
    }

    /**
     * Folders known to exist: the state folder is asked for on every lock, and rarely removed.
     * Only on the default filesystem: elsewhere (in-memory, fault-injecting) every call counts.
     */
    private static final java.util.Set<Path> ENSURED = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
