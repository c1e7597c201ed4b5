package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Step 7 of the single-file write ({@link WriteProtocol}): the temp file, complete, forced and
 * verified, renamed over the target with {@code ATOMIC_MOVE} (readers see the old file or the
 * new, never a mix; there is no non-atomic fallback), or, with {@code createNew}, hard-linked to
 * the target's name, which fails atomically when the name is taken.
 */
final class Publication {
    private Publication() {
    }

    /** Step 7: the one instant at which the target changes, atomically. */
    static void publish(TempFiles.TempFile temp, Path target, boolean createNew, String operation)
            throws IOException {
        if (createNew) {
            // link(2) fails with EEXIST if the name was taken meanwhile: no check-then-act race.
            try {
                Files.createLink(target, temp.path());
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                throw AtomicWriteException.failed(operation, target,
                        "publish (createNew needs hard links to fail atomically on an existing file, and this"
                                + " filesystem refused one)", e);
            }
            TempFiles.deleteQuietly(temp.path());
            return;
        }
        try {
            // REPLACE_EXISTING too: with ATOMIC_MOVE alone, replacing an existing file is up to the
            // provider (rename(2) replaces; Jimfs, for one, refuses). The temp file is a new file,
            // never another name of the target, so this rename cannot be the no-op of POSIX.
            Files.move(temp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            TempFiles.published(temp.path());
        } catch (AtomicMoveNotSupportedException e) {
            throw AtomicWriteException.failed(operation, target,
                    "publish (this filesystem cannot rename atomically; atomicfiles never falls back to a"
                            + " non-atomic replace)", e);
        }
    }
}
