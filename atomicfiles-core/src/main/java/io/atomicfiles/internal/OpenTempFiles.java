package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temp files this JVM has made and not yet published or deleted: the content of open
 * writes, a backup's link being put in place, a rotation's compressed file.
 *
 * <p>A shutdown hook (the command line installs one) calls {@link #discardAll()}, so that a
 * process ended by Ctrl-C or {@code kill} (SIGINT, SIGTERM) leaves no temp file behind: an
 * interrupted {@code atomicfiles write big.bin} removes its gigabyte of unpublished content.
 * A write still running in another thread then fails at its next step (its temp file is gone,
 * so the rename fails and the target stays as it was). A name that was already renamed into
 * place is gone from its temp path, so deleting that path removes nothing. Nothing survives a
 * {@code kill -9}: those files are removed later by {@link TempFiles#removeAbandonedOnce} and
 * {@link TempFiles#sweep}, which can tell their writer is gone.
 */
public final class OpenTempFiles {
    private static final Log LOG = Log.of(OpenTempFiles.class);
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private OpenTempFiles() {
    }

    static void add(Path tempFile) {
        OPEN.add(tempFile);
    }

    static void remove(Path tempFile) {
        OPEN.remove(tempFile);
    }

    /** How many temp files of this JVM are open now. */
    public static int count() {
        return OPEN.size();
    }

    /**
     * Deletes every temp file of this JVM that is not yet published: for a shutdown hook. Writes
     * in progress fail afterwards, leaving their targets as they were.
     *
     * @return the number of files deleted
     */
    public static int discardAll() {
        int deleted = 0;
        for (Path path : OPEN) {
            try {
                if (Files.deleteIfExists(path)) {
                    deleted++;
                }
                OPEN.remove(path);
            } catch (IOException | RuntimeException e) {
                LOG.get().warn("could not delete temp file {} at shutdown: {}", path, e.toString());
            }
        }
        return deleted;
    }

    /** A thread for {@link Runtime#addShutdownHook}: discards every open temp file when the JVM ends. */
    public static Thread shutdownHook() {
        return new Thread(OpenTempFiles::discardAll, "atomicfiles: discard unpublished temp files");
    }
}
