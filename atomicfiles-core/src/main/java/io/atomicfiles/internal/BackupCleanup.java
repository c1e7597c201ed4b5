package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes old backup files from a folder. */
public final class BackupCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(BackupCleanup.class);

    private BackupCleanup() {
    }

    /**
     * Removes the regular files directly in {@code folder} (not below it, and never through a
     * symbolic link) whose names match {@code glob} and whose last modification is strictly
     * before {@code cutoff}. A file modified exactly at the cutoff stays.
     *
     * @return the number removed
     * @throws NoSuchFileException when {@code folder} does not exist
     */
    public static int removeOlderThan(Path folder, String glob, Instant cutoff) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "cleanup of backups: no such folder");
        }
        PathMatcher matcher = folder.getFileSystem().getPathMatcher("glob:" + glob);
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!matcher.matches(entry.getFileName())) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(cutoff)
                        && Files.deleteIfExists(entry)) {
                    LOG.info("removed backup {} (modified {})", entry, attributes.lastModifiedTime());
                    removed++;
                }
            }
        }
        return removed;
    }
}
