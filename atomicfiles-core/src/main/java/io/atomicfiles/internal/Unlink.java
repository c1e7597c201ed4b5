package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deleting a name with one system call where {@link Files#deleteIfExists} makes two.
 *
 * <p>{@code Files.deleteIfExists} first reads the name's attributes ({@code lstat}: a folder is
 * removed with {@code rmdir}, anything else with {@code unlink}), then removes it. A transaction
 * deletes one hidden name per file it replaces, and on this kind of machine every system call
 * has a high fixed cost (BENCHMARKS.md, "W3: fewer system calls per file").
 */
public final class Unlink {
    private Unlink() {
    }

    /**
     * {@link Files#deleteIfExists}, in one {@code unlink(2)} when the name is there. On the default
     * filesystem ({@link Stat#ioFile}) {@link java.io.File#delete} is {@code remove(3)}: {@code unlink}, and
     * {@code rmdir} only when the kernel answers that the name is a folder, the same choice
     * {@code Files} makes, from the same answer. A link is removed, never followed. That call
     * says only whether the name was removed: when it was not (absent, or a failure whose reason
     * it does not give), {@code Files.deleteIfExists} is asked, which tells the two apart and
     * throws the reason.
     *
     * @return whether the name was removed by this call
     */
    public static boolean ifExists(Path path) throws IOException {
        java.io.File file = Stat.ioFile(path);
        if (file != null && file.delete()) {
            return true;
        }
        return Files.deleteIfExists(path);
    }
}
