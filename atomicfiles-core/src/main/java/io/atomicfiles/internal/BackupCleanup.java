package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Removes old backup files from a folder. */
public final class BackupCleanup {
    private static final Log LOG = Log.of(BackupCleanup.class);

    private BackupCleanup() {
    }

    /** A backup that is old enough to go, and when it was last modified. */
    public record Candidate(Path file, Instant modified) {
    }

    /**
     * The regular files directly in {@code folder} (not below it, and never through a symbolic
     * link) whose names match {@code glob} and whose last modification is strictly before
     * {@code cutoff}, oldest first. A file modified exactly at the cutoff is not one of them, nor
     * is any transaction's hidden name ({@link TxNames}), whatever the glob.
     *
     * @throws NoSuchFileException when {@code folder} does not exist
     */
    public static List<Candidate> candidates(Path folder, String glob, Instant cutoff) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "cleanup of backups: no such folder");
        }
        PathMatcher matcher = folder.getFileSystem().getPathMatcher("glob:" + glob);
        List<Candidate> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!matcher.matches(entry.getFileName())) {
                    continue;
                }
                if (TxNames.isTransactionName(entry.getFileName().toString())) {
                    // A transaction's hidden name (its staged file, or the link that lets it undo
                    // a rename): while its journal is unfinished, deleting it could lose the only
                    // copy of a file's old content. Whatever the glob, it is the transaction's to remove.
                    continue;
                }
                BasicFileAttributes attributes = Stat.attributes(entry);
                if (attributes != null && attributes.isRegularFile()
                        && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    candidates.add(new Candidate(entry, attributes.lastModifiedTime().toInstant()));
                }
            }
        }
        candidates.sort(Comparator.comparing(Candidate::modified));
        return candidates;
    }

    /**
     * Removes the {@link #candidates} of {@code folder}.
     *
     * @return the number removed
     * @throws NoSuchFileException when {@code folder} does not exist
     */
    public static int removeOlderThan(Path folder, String glob, Instant cutoff) throws IOException {
        int removed = 0;
        for (Candidate candidate : candidates(folder, glob, cutoff)) {
            if (Files.deleteIfExists(candidate.file())) {
                LOG.get().info("removed backup {} (modified {})", candidate.file(), candidate.modified());
                removed++;
            }
        }
        return removed;
    }
}
