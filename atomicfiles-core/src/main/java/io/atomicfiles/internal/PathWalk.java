package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Resolves a path the way the kernel does, one component at a time, so that every symbolic
 * link met on the way (in a folder of the path, in a chain of links, inside a link's own
 * target) is checked by {@link LinkRule} before it is followed.
 *
 * <p>Each component is looked at with one {@code lstat}: a folder is entered; a link is
 * checked, read, and its target's components take its place ({@code ..} after a link goes to
 * the parent of where the link led, as the kernel does); a missing component ends the walk,
 * and what is left is returned as the folders still to be made. No component is ever followed
 * by the kernel on the library's behalf before the rule has seen it.
 *
 * <p>A walk reports whether what it saw can change under it in a way the rule would forbid
 * ({@link Walk#stable()}): a folder or link owned by a third user inside a sticky shared
 * folder (that user may replace it by a link of theirs at any time). Only stable walks may be
 * remembered ({@link Targets} keeps the real paths of verified folders, so that repeated writes
 * to a folder cost no extra system call).
 */
final class PathWalk {
    /** The most links followed in one walk before it is taken for a loop (Linux's own limit). */
    static final int MAX_LINKS = 40;

    private PathWalk() {
    }

    /** One path's own attributes (not following it); {@code uid} and {@code mode} are -1 where unknown. */
    record Node(boolean link, boolean directory, int uid, int mode) {
    }

    /**
     * Where a walk ended.
     *
     * @param path the real path reached: the whole path, free of links, {@code .} and {@code ..}
     *     (only a final link that was not to be followed stays), or, when components are
     *     missing, {@code folder} with the missing names appended
     * @param node the attributes of {@code path}, null when it is missing
     * @param folder the real folder holding {@code path}'s last component, or the deepest folder
     *     that exists when components are missing
     * @param folderNode the attributes of {@code folder}
     * @param missing the names below {@code folder} that do not exist (empty when none)
     * @param missingFromLink whether a missing name came from a link's target (a dangling link:
     *     such folders are never made)
     * @param belowAFile whether the walk stopped at a component that is neither folder nor link
     *     with more components to go (the kernel's ENOTDIR)
     * @param followedLinks whether any link was followed
     * @param stable see the class comment
     */
    record Walk(Path path, Node node, Path folder, Node folderNode, List<String> missing, boolean missingFromLink,
            boolean belowAFile, boolean followedLinks, boolean stable) {
        boolean complete() {
            return node != null;
        }
    }

    /** A component still to walk, and whether it came from a link's target. */
    private record Component(String name, boolean fromLink) {
    }

    /** A folder entered on the way, for {@code ..}. */
    private record Entered(Path path, Node node) {
    }

    /**
     * Walks {@code absolute}.
     *
     * @param followFinal whether a link as the last component is followed too
     * @param operation and {@code requested} name the caller's operation in errors
     * @throws AtomicWriteException when {@link LinkRule} refuses a link, or for a loop of links
     * @throws IOException when a component cannot be looked at (permission denied, I/O error):
     *     "cannot tell" is never taken for "nothing there"
     */
    static Walk walk(Path absolute, boolean followFinal, String operation, Path requested) throws IOException {
        Path root = absolute.getRoot();
        Node rootNode = node(root);
        Deque<Component> todo = new ArrayDeque<>();
        for (Path name : absolute) {
            todo.addLast(new Component(name.toString(), false));
        }
        Deque<Entered> trail = new ArrayDeque<>();
        Path current = root;
        Node currentNode = rootNode;
        int links = 0;
        boolean stable = true;
        while (!todo.isEmpty()) {
            Component component = todo.removeFirst();
            String name = component.name();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!trail.isEmpty()) {
                    Entered parent = trail.removeFirst();
                    current = parent.path();
                    currentNode = parent.node();
                }
                continue;
            }
            boolean last = todo.stream().allMatch(c -> c.name().isEmpty() || c.name().equals("."));
            Path next = current.resolve(name);
            Node node = node(next);
            if (node == null) {
                List<Component> rest = new ArrayList<>();
                rest.add(component);
                rest.addAll(todo);
                return missing(current, currentNode, rest, links > 0, stable, requested, operation);
            }
            if (node.link() && (!last || followFinal)) {
                // The kernel's rule, whatever the sysctl says: checked before the link is read.
                LinkRule.check(next, node.uid(), current, currentNode.uid(), currentNode.mode(), operation, requested);
                if (++links > MAX_LINKS) {
                    throw new AtomicWriteException(operation + " " + requested + " failed: more than " + MAX_LINKS
                            + " symbolic links (a loop?)", null, Targets.context(operation, requested));
                }
                Path text = Files.readSymbolicLink(next);
                List<Component> expansion = new ArrayList<>();
                for (Path part : text) {
                    expansion.add(new Component(part.toString(), true));
                }
                for (int i = expansion.size() - 1; i >= 0; i--) {
                    todo.addFirst(expansion.get(i));
                }
                if (text.isAbsolute()) {
                    current = text.getRoot();
                    currentNode = current.equals(root) ? rootNode : node(current);
                    trail.clear();
                }
                continue;
            }
            stable &= staysAsSeen(currentNode, node);
            if (last) {
                return new Walk(next, node, current, currentNode, List.of(), false, false, links > 0, stable);
            }
            if (!node.directory()) {
                List<Component> rest = new ArrayList<>(todo);
                return new Walk(pathOf(next, rest), null, current, currentNode, names(rest), links > 0, true,
                        links > 0, stable);
            }
            trail.addFirst(new Entered(current, currentNode));
            current = next;
            currentNode = node;
        }
        // The path ended on a folder reached by ".." or "." (or is the root itself).
        Entered parent = trail.peekFirst();
        return new Walk(current, currentNode, parent == null ? current : parent.path(),
                parent == null ? currentNode : parent.node(), List.of(), false, false, links > 0, stable);
    }

    /**
     * Whether an entry of {@code folder} can only be replaced by someone whose links the rule
     * would follow anyway: true unless the folder is sticky and shared and the entry belongs to
     * a third user (who may swap it for a link of theirs).
     */
    private static boolean staysAsSeen(Node folder, Node entry) {
        if (folder.mode() < 0 || entry.uid() < 0 || !LinkRule.isStickyShared(folder.mode())) {
            return true;
        }
        return entry.uid() == LinkRule.follower() || entry.uid() == folder.uid();
    }

    /** The walk ended at a missing component: the rest, normalised, is what would have to be made. */
    private static Walk missing(Path folder, Node folderNode, List<Component> rest, boolean followedLinks,
            boolean stable, Path requested, String operation) throws AtomicWriteException {
        List<String> names = new ArrayList<>();
        boolean fromLink = false;
        for (Component c : rest) {
            fromLink |= c.fromLink();
            if (c.name().isEmpty() || c.name().equals(".")) {
                continue;
            }
            if (c.name().equals("..")) {
                if (names.isEmpty()) {
                    // "missing/../.." climbs above the missing folder: the kernel says "no such
                    // file" there, and no folder made for it could change that meaningfully.
                    throw new AtomicWriteException(operation + " " + requested + " failed: its path goes up ('..')"
                            + " out of a folder that does not exist", null, Targets.context(operation, requested));
                }
                names.remove(names.size() - 1);
                continue;
            }
            names.add(c.name());
        }
        Path path = folder;
        for (String name : names) {
            path = path.resolve(name);
        }
        return new Walk(path, names.isEmpty() ? folderNode : null, folder, folderNode, List.copyOf(names), fromLink,
                false, followedLinks, stable);
    }

    private static List<String> names(List<Component> components) {
        List<String> names = new ArrayList<>();
        for (Component c : components) {
            names.add(c.name());
        }
        return names;
    }

    private static Path pathOf(Path start, List<Component> rest) {
        Path path = start;
        for (Component c : rest) {
            path = path.resolve(c.name());
        }
        return path;
    }

    /**
     * The attributes of {@code path} itself (one {@code lstat}), or null when there is no such
     * file. Owner and mode come as numbers where the filesystem has the {@code unix} view.
     */
    static Node node(Path path) throws IOException {
        try {
            if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,isSymbolicLink,isDirectory",
                        LinkOption.NOFOLLOW_LINKS);
                return new Node((Boolean) unix.get("isSymbolicLink"), (Boolean) unix.get("isDirectory"),
                        (Integer) unix.get("uid"), (Integer) unix.get("mode"));
            }
            BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Node(basic.isSymbolicLink(), basic.isDirectory(), -1, -1);
        } catch (IOException e) {
            if (Stat.meansAbsent(e, path)) {
                return null;
            }
            throw e;
        }
    }
}
