package io.atomicfiles.internal;

import io.atomicfiles.ProgressListener;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;

/**
 * Steps 1 and 2 of the single-file write ({@link WriteProtocol#begin}): the target resolved and
 * locked, the preconditions checked under the lock ({@code backup}'s name, {@code createNew},
 * {@code expectedChecksum}), the temp file created beside the target and the progress listener
 * told; on any failure, the temp file deleted and the lock let go. The steps are numbered as in
 * {@link WriteProtocol}'s class comment, which says what each prevents.
 */
final class WriteOpening {
    private WriteOpening() {
    }

    static WriteProtocol open(Path requested, WriteOptions options, String operation, long expectedSize,
            long startNanos, Set<PosixFilePermission> newFilePermissions, boolean contentInHand) throws IOException {
        Objects.requireNonNull(requested, "path");
        Objects.requireNonNull(options, "options");
        // Step 1: the file that will change, never a folder or a special file; writers queue.
        Targets.Locked locked = Targets.lock(requested, options.followSymlinks(), options.durability().syncsFolder(),
                options.lockTimeout(), operation);
        Path target = locked.target();
        Path folder = locked.folder();
        PathLocks.Held lock = locked.lock();
        TempFiles.TempFile temp = null;
        try {
            // Preconditions, under the lock so that no other writer of ours can change the answer.
            if (options.backup() && !options.createNew()) {
                Backups.requireBackupName(target, operation);
            }
            if (options.createNew() && locked.found().exists()) {
                throw new FileAlreadyExistsException(target.toString(), null, "createNew: the target already exists");
            }
            if (options.expectedChecksum().isPresent()) {
                TargetChecksum.require(target, options.expectedChecksum().get(), operation);
            }
            // Step 2: a private temp file beside the target, after a killed writer's leftovers are gone.
            TempFiles.removeAbandonedOnce(folder);
            // Owner-only, or, for content the library has in hand, already with the mode step 5
            // would give it, when that grants nobody anything the published file will not (this
            // spares an open, a chmod and a close).
            Set<PosixFilePermission> createdWith = !contentInHand ? null : TempFileModes.finalModeAtCreation(folder,
                    KeptAttributes.modeToPublish(target, locked.found(), newFilePermissions));
            temp = TempFiles.createBeside(target, folder, locked.name(), options.durability().syncsFolder(), operation,
                    createdWith);
            ProgressListener progress = ProgressSink.choose(options.showProgress(), options.progressListener());
            if (progress != ProgressListener.none()) {
                // Its label is built only for a listener: most writes have none.
                progress.started(operation + " " + target.getFileName(), expectedSize);
            }
            return new WriteProtocol(operation, target, folder, options, lock, temp, progress, startNanos,
                    locked.found(), newFilePermissions, createdWith);
        } catch (IOException | RuntimeException | Error e) {
            if (temp != null) {
                // Such as a progress listener that threw in started(), even an Error (an assertion
                // in a listener): the temp file goes too, and the lock is let go.
                closeQuietly(temp);
                TempFiles.deleteQuietly(temp.path());
            }
            lock.close();
            throw e;
        }
    }

    private static void closeQuietly(TempFiles.TempFile temp) {
        try {
            temp.channel().close();
        } catch (IOException e) {
            // The temp file is deleted next; a failed close changes nothing for the target.
        }
    }
}
