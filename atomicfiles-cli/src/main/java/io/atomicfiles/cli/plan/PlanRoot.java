package io.atomicfiles.cli.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The folder a plan's paths are relative to, and the guard that keeps them inside it.
 *
 * <p>A path is refused when it is absolute, when it has a {@code ..} part, or when following
 * the symbolic links along it (every existing part, the last one included) leaves the root. The
 * real path of each existing part is checked, so a link inside the root that points outside
 * is caught wherever it sits. Parts that do not exist yet are taken as written: nothing below
 * them can exist, so nothing there can point elsewhere.
 *
 * <p>This checks the plan before anything is touched, with messages that name the plan's
 * operation. It is not what keeps a running transaction inside the root against someone who
 * swaps a folder for a link meanwhile: the transaction is confined to {@link #path()} too
 * ({@code TransactionOptions.confinedTo}), and the library checks again right before each change.
 */
public final class PlanRoot {
    private final Path real;

    private PlanRoot(Path real) {
        this.real = real;
    }

    /** The root at {@code folder}, which must exist; links to it are followed once, here. */
    public static PlanRoot of(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "--root names no folder");
        }
        if (!Files.isDirectory(folder)) {
            throw new NotDirectoryException(folder + " (--root must be a folder)");
        }
        return new PlanRoot(folder.toRealPath());
    }

    /** The root's real path: where every plan path ends up. */
    public Path path() {
        return real;
    }

    /**
     * The absolute path of {@code relative} under the root.
     *
     * @param what how messages name the path, such as "operation 3 (line 9, copy a to b): 'to'"
     * @throws PlanException when the path is absolute, goes up with {@code ..}, names the root
     *     itself, or leads outside the root through a symbolic link
     */
    public Path resolve(String relative, String what) throws IOException {
        Path path = Path.of(relative);
        if (path.isAbsolute() || path.getRoot() != null) {
            throw refused(what, relative, "is absolute; plan paths are relative to the root " + real);
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw refused(what, relative, "goes up with '..'; plan paths stay inside the root " + real);
            }
        }
        Path normal = path.normalize();
        if (normal.toString().isEmpty()) {
            throw refused(what, relative, "names the root folder itself, not a file in it");
        }
        Path resolved = real;
        Path walked = Path.of("");
        for (Path part : normal) {
            walked = walked.resolve(part);
            Path next = resolved.resolve(part);
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                // Nothing here yet: the rest of the path will be created as written.
                return resolved.resolve(normal.subpath(walked.getNameCount() - 1, normal.getNameCount()));
            }
            try {
                resolved = next.toRealPath();
            } catch (NoSuchFileException dangling) {
                throw refused(what, relative, "passes through " + link(next, walked) + ", which points to nothing");
            }
            if (!resolved.startsWith(real)) {
                throw refused(what, relative, "leads outside the root " + real + " (to " + resolved + ")"
                        + (Files.isSymbolicLink(next) ? " through " + link(next, walked) : ""));
            }
        }
        return real.resolve(normal);
    }

    /** "the symbolic link data/current -> /srv/elsewhere" */
    private static String link(Path link, Path shownAs) throws IOException {
        return "the symbolic link " + shownAs + " -> " + Files.readSymbolicLink(link);
    }

    private static PlanException refused(String what, String path, String why) {
        return new PlanException(what + ": " + path + " " + why);
    }
}
