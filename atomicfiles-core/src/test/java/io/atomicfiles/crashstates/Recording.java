package io.atomicfiles.crashstates;

import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What public operations did to the files under one folder, as a power loss sees it: the
 * changes a {@link FaultyFileSystem} reports ({@link FaultyFileSystem#onChange}), turned into
 * events of the POSIX model the explorer enumerates ({@link CrashStates}):
 * <ul>
 *   <li>{@link Entry}: a change of names in a folder (create, mkdir, link, unlink, rename: a
 *       rename is one event, all or nothing, in both its folders); persisted only by a later
 *       {@link FolderSync} of (each of) its folder(s), else it may be lost, each independently;</li>
 *   <li>{@link Data}: a file (an inode, by its number here) now holds another version of its
 *       bytes (its whole content is kept per version); a version not yet made durable by a
 *       {@link FileSync} may be lost, back to the last synced one;</li>
 *   <li>{@link FileSync}, {@link FolderSync}: an fsync of a file or a folder.</li>
 * </ul>
 * The model keeps, in step with the real filesystem, which name holds which inode, so that a
 * rename moves an inode and a hard link shares one. The state at the start counts as durable.
 * After each public operation the test calls {@link #acknowledge}: the events so far are then
 * an acknowledged prefix, and the files as they are then ({@link Tree#read}) are what a
 * recovery must give back after a crash from there on.
 */
final class Recording implements Consumer<FaultyFileSystem.Change> {
    /** The node of a folder; a file's node is its inode number (0, 1, ...). */
    static final int DIR = -1;

    sealed interface Event permits Entry, Data, FileSync, FolderSync {
    }

    /** Names set (to a node) or removed (null) in {@code folders}, by one call ({@code what}). */
    record Entry(String what, List<Path> folders, Map<Path, Integer> names) implements Event {
    }

    /** Inode {@code inode} now holds its version {@code version}. */
    record Data(int inode, int version) implements Event {
    }

    /** fsync of inode {@code inode}, then at its version {@code version}. */
    record FileSync(int inode, int version) implements Event {
    }

    /** fsync of a folder. */
    record FolderSync(Path folder) implements Event {
    }

    final Path root;
    /** Names under the root at the start (durable), each to its node. */
    final Map<Path, Integer> initialNames;
    /** Every inode's versions of content; version 0 is the content at the start (empty for a new file). */
    final List<List<byte[]>> versions = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    /** {@code acknowledged.get(k)}: how many events there were when operation k returned (k = 0: none ran). */
    final List<Integer> acknowledged = new ArrayList<>();
    /** The user's files after each acknowledged operation, as {@link Tree#read} shows them (index as above). */
    final List<Map<String, String>> afterEach = new ArrayList<>();

    private final Path files;
    private final Map<Path, Integer> current = new HashMap<>();
    private final Map<Object, Integer> channelInodes = new IdentityHashMap<>();
    private final Map<Object, Path> channelFolders = new IdentityHashMap<>();
    private final Map<Object, Integer> realInodes = new HashMap<>();
    private final List<String> unsupported = new ArrayList<>();

    /**
     * Starts recording the changes under {@code root}; the user's files are those under
     * {@code files} (a folder in the root), what is compared after a crash.
     */
    Recording(Path root, Path files) throws IOException {
        this.root = root;
        this.files = files;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).sorted().toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    current.put(p, DIR);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Object ino = Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                    Integer inode = realInodes.get(ino);
                    if (inode == null) {
                        inode = newInode(Files.readAllBytes(p));
                        realInodes.put(ino, inode);
                    }
                    current.put(p, inode);
                } else {
                    throw new IllegalStateException("the explorer models folders and regular files only: " + p);
                }
            }
        }
        initialNames = Map.copyOf(current);
        acknowledge();
    }

    /** Marks the end of a public operation: it returned, so what it did must survive. */
    synchronized void acknowledge() throws IOException {
        acknowledged.add(events.size());
        afterEach.add(Tree.read(files));
    }

    /** Throws if a change was seen that the model cannot follow (so that no state is silently wrong). */
    synchronized void checkFollowed() {
        if (!unsupported.isEmpty()) {
            throw new IllegalStateException("changes the explorer cannot model: " + unsupported);
        }
    }

    @Override
    public synchronized void accept(FaultyFileSystem.Change change) {
        try {
            follow(change);
        } catch (IOException | RuntimeException e) {
            unsupported.add(change + ": " + e);
        }
    }

    private void follow(FaultyFileSystem.Change c) throws IOException {
        Path path = c.path();
        boolean inside = path != null && path.startsWith(root);
        boolean otherInside = c.other() != null && c.other().startsWith(root);
        if (!inside && !otherInside) {
            return;
        }
        switch (c.kind()) {
            case "open" -> {
                Integer node = current.get(path);
                // The root is a folder too: a journal folder made in it is forced into it.
                if (path.equals(root) || (node != null && node == DIR)) {
                    channelFolders.put(c.channel(), path);
                    return;
                }
                if (node == null) {
                    node = newInode(new byte[0]);
                    entry("create " + path.getFileName(), path.getParent(), path, node);
                    current.put(path, node);
                }
                realInodes.put(ino(path), node);
                channelInodes.put(c.channel(), node);
                contentChanged(node);   // an open that truncated
            }
            case "write", "truncate" -> contentChanged(channelInode(c));
            case "force" -> {
                Path folder = channelFolders.get(c.channel());
                if (folder != null) {
                    events.add(new FolderSync(folder));
                } else {
                    int inode = channelInode(c);
                    events.add(new FileSync(inode, versions.get(inode).size() - 1));
                }
            }
            case "close" -> {
                channelInodes.remove(c.channel());
                channelFolders.remove(c.channel());
            }
            case "mkdir" -> {
                entry("mkdir " + path.getFileName(), path.getParent(), path, DIR);
                current.put(path, DIR);
            }
            case "link" -> {
                Integer node = current.get(c.other());
                require(node != null && node != DIR && inside && otherInside, "a link of a file under the root");
                entry("link " + path.getFileName() + " -> " + c.other().getFileName(), path.getParent(), path, node);
                current.put(path, node);
            }
            case "delete" -> {
                require(current.containsKey(path), "a known name");
                entry("unlink " + path.getFileName(), path.getParent(), path, null);
                current.remove(path);
            }
            case "move" -> {
                Path target = c.other();
                Integer node = current.get(path);
                require(inside && otherInside && node != null && node != DIR, "a rename of a file within the root");
                if (node.equals(current.get(target))) {
                    return;   // rename(2) between two links of one inode does nothing
                }
                Map<Path, Integer> names = new LinkedHashMap<>();
                names.put(path, null);
                names.put(target, node);
                List<Path> folders = path.getParent().equals(target.getParent()) ? List.of(path.getParent())
                        : List.of(path.getParent(), target.getParent());
                events.add(new Entry("rename " + path.getFileName() + " -> " + target.getFileName(), folders, names));
                current.remove(path);
                current.put(target, node);
            }
            default -> throw new IllegalStateException("not modelled: " + c.kind());
        }
    }

    private void entry(String what, Path folder, Path name, Integer node) {
        Map<Path, Integer> names = new LinkedHashMap<>();
        names.put(name, node);
        events.add(new Entry(what, List.of(folder), names));
    }

    private int channelInode(FaultyFileSystem.Change c) {
        Integer inode = channelInodes.get(c.channel());
        require(inode != null, "a channel opened under the root while recording");
        return inode;
    }

    /** Reads the inode's bytes again (through a name it has now); a new version if they changed. */
    private void contentChanged(int inode) throws IOException {
        Path name = current.entrySet().stream().filter(e -> e.getValue() == inode).map(Map.Entry::getKey)
                .min(Comparator.naturalOrder()).orElseThrow(() -> new IllegalStateException(
                        "inode " + inode + " written after its last name went"));
        require(Integer.valueOf(inode).equals(realInodes.get(ino(name))), "the name to hold the inode written");
        byte[] bytes = Files.readAllBytes(name);
        List<byte[]> list = versions.get(inode);
        if (!Arrays.equals(list.get(list.size() - 1), bytes)) {
            list.add(bytes);
            events.add(new Data(inode, list.size() - 1));
        }
    }

    private int newInode(byte[] content) {
        List<byte[]> list = new ArrayList<>();
        list.add(content);
        versions.add(list);
        return versions.size() - 1;
    }

    private static Object ino(Path path) {
        try {
            return Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("expected " + what);
        }
    }

    /** The events as text, one a line, for failure messages. */
    synchronized String describe(int upTo) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < upTo && i < events.size(); i++) {
            Event e = events.get(i);
            String line;
            if (e instanceof Entry entry) {
                line = entry.what();
            } else if (e instanceof Data data) {
                line = "data of inode " + data.inode() + " -> version " + data.version() + " ("
                        + versions.get(data.inode()).get(data.version()).length + " bytes)";
            } else if (e instanceof FileSync sync) {
                line = "fsync inode " + sync.inode();
            } else {
                line = "fsync folder " + root.relativize(((FolderSync) e).folder());
            }
            text.append("  ").append(i + 1).append(". ").append(line).append('\n');
        }
        return text.toString();
    }
}
