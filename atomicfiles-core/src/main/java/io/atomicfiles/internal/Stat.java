package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Strict questions about a path, never following a final symbolic link.
 *
 * <p>{@link Files#exists} answers {@code false} when it cannot tell (permission denied, an I/O
 * error), which is the wrong answer for a protocol: "the rename already happened" or "there is
 * nothing to back up" would be decided on a failure. These methods answer only "no such file"
 * with {@code false}, and throw on every other failure.
 */
public final class Stat {
    private Stat() {
    }

    /** The attributes of {@code path}, or null when there is no such file. */
    public static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    public static boolean exists(Path path) throws IOException {
        return attributes(path) != null;
    }

    public static boolean isRegularFile(Path path) throws IOException {
        BasicFileAttributes attributes = attributes(path);
        return attributes != null && attributes.isRegularFile();
    }

    public static boolean isDirectory(Path path) throws IOException {
        BasicFileAttributes attributes = attributes(path);
        return attributes != null && attributes.isDirectory();
    }
}
