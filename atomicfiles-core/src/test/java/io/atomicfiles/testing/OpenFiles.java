package io.atomicfiles.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files this JVM holds open, from {@code /proc/self/fd}: a failed write must not leave its
 * temp file (or anything else) open, or the disk space of a deleted temp file is never given
 * back and a folder cannot be unmounted.
 */
public final class OpenFiles {
    private static final Path FDS = Path.of("/proc/self/fd");

    private OpenFiles() {
    }

    /** Whether open files can be listed here (Linux). Where not, {@link #under} finds none. */
    public static boolean listable() {
        return Files.isDirectory(FDS);
    }

    /**
     * The open files of this process inside {@code folder} (deleted ones end in " (deleted)"),
     * but for the folders' lock files ({@code .atomicfiles.lock}), which the library keeps open
     * between writes by design (see {@link #lockFilesUnder}).
     */
    public static List<String> under(Path folder) throws IOException {
        return all(folder).stream().filter(file -> !file.endsWith("/" + LOCK_FILE)).toList();
    }

    /** The lock files ({@code .atomicfiles.lock}) this process holds open inside {@code folder}. */
    public static List<String> lockFilesUnder(Path folder) throws IOException {
        return all(folder).stream().filter(file -> file.endsWith("/" + LOCK_FILE)).toList();
    }

    private static final String LOCK_FILE = ".atomicfiles.lock";

    private static List<String> all(Path folder) throws IOException {
        List<String> open = new ArrayList<>();
        if (!listable()) {
            return open;
        }
        String prefix = folder.toRealPath().toString() + "/";
        try (Stream<Path> fds = Files.list(FDS)) {
            for (Path fd : fds.toList()) {
                String file;
                try {
                    file = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException closedMeanwhile) {
                    continue;
                }
                if (file.startsWith(prefix)) {
                    open.add(file);
                }
            }
        }
        return open;
    }
}
