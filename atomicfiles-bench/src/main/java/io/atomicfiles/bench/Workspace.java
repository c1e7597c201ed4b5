package io.atomicfiles.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fresh folder for one benchmark trial, on a real disk, with the library's state folder
 * (lock files, journals) inside it so that no benchmark touches the user's home.
 *
 * <p>The base folder is the system property {@code bench.dir}, else {@code java.io.tmpdir}.
 * Durable writes are only worth measuring where fsync reaches a device: a base folder on a
 * memory filesystem (tmpfs, ramfs) is refused unless {@code -Dbench.allowMemoryFs=true}.
 */
public final class Workspace implements AutoCloseable {
    private static final Set<String> MEMORY_FILESYSTEMS = Set.of("tmpfs", "ramfs", "devtmpfs");

    private final Path folder;

    private Workspace(Path folder) {
        this.folder = folder;
    }

    /** Creates {@code <base>/atomicfiles-bench-<name>-<random>} and points the library's state folder into it. */
    public static Workspace create(String name) throws IOException {
        Path base = Paths.get(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")))
                .toAbsolutePath();
        Files.createDirectories(base);
        FileStore store = Files.getFileStore(base);
        String type = store.type().toLowerCase(Locale.ROOT);
        if (MEMORY_FILESYSTEMS.contains(type) && !Boolean.getBoolean("bench.allowMemoryFs")) {
            throw new IllegalStateException(base + " is on " + type + ", where fsync reaches no disk; pass"
                    + " -Dbench.dir=<a folder on a real disk> (or -Dbench.allowMemoryFs=true to measure anyway)");
        }
        Path folder = Files.createTempDirectory(base, "atomicfiles-bench-" + name + "-");
        System.setProperty("atomicfiles.stateDir", folder.resolve(".state").toString());
        System.err.println("# workspace " + folder + " on " + store.name() + " (" + store.type() + ")");
        return new Workspace(folder);
    }

    public Path folder() {
        return folder;
    }

    public Path resolve(String name) {
        return folder.resolve(name);
    }

    /** The files directly in the folder other than the state folder, for checks after a run. */
    public Set<String> fileNames() throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(".state"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    /** Deletes the folder and everything in it. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
