package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Step 5 of the single-file write ({@link WriteProtocol}): the owner, group and mode the temp
 * file is given before it is published, so that a rewrite does not silently change who may read
 * the file. The replaced regular file's are kept; a new file gets the permissions asked, else the
 * umask's mode; where the owner or group cannot be kept, the mode is narrowed so that nobody gains
 * access ({@link FileModes#copy}). One instance per write, on the thread that runs its steps.
 */
final class KeptAttributes {
    /** See {@link #found()}. */
    private static final long LOOK_AGAIN_AFTER_NANOS = 10_000_000;

    private final String operation;
    private final Path target;
    /** What was at the target when the lock was taken ({@link #found()} looks again after a long write). */
    private FileModes.Found found;
    private final long foundNanos;
    private boolean foundAgain;
    /** For a new target, the permissions to give it instead of the umask's; null: the umask's. */
    private Set<PosixFilePermission> newFilePermissions;
    /** The mode the temp file was created with, when not owner-only ({@link TempFileModes#finalModeAtCreation}); else null. */
    private Set<PosixFilePermission> createdWith;

    KeptAttributes(String operation, Path target, FileModes.Found found, Set<PosixFilePermission> newFilePermissions,
            Set<PosixFilePermission> createdWith) {
        this.operation = operation;
        this.target = target;
        this.found = found;
        this.foundNanos = System.nanoTime();
        this.newFilePermissions = newFilePermissions;
        this.createdWith = createdWith;
    }

    /**
     * The mode step 5 will give the temp file, as far as it is known when the write begins: the
     * replaced regular file's, else {@code newFilePermissions}, else the umask's; null where the
     * filesystem has no POSIX modes. (Owner and group do not enter: see
     * {@link TempFileModes#finalModeAtCreation}. Should the file's mode change before step 5, step 5
     * gives the temp file the new one.)
     */
    static Set<PosixFilePermission> modeToPublish(Path target, FileModes.Found found,
            Set<PosixFilePermission> newFilePermissions) {
        if (!FileModes.supportsPosix(target)) {
            return null;
        }
        FileModes.Kept old = found.kept();
        if (old != null && old.regularFile()) {
            return old.permissions();
        }
        return newFilePermissions != null ? newFilePermissions : FileModes.defaultFileMode(target);
    }

    /**
     * Sets the permissions of a new target ({@link WriteProtocol#newFilePermissions}), before any
     * content is in {@code tempFile}: a temp file created with another mode than these is made
     * owner-only here, before content could be read under a mode that was not the one to publish.
     */
    void newFilePermissions(Set<PosixFilePermission> permissions, Path tempFile) throws IOException {
        this.newFilePermissions = permissions;
        if (createdWith != null && !createdWith.equals(modeToPublish(target, found(), permissions))) {
            FileModes.setPermissions(tempFile, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
            createdWith = null;
        }
    }

    /** Step 5 (before step 4's fsync, which then covers it): keep mode, owner and group. */
    void giveTo(Path tempFile) throws IOException {
        if (!FileModes.supportsPosix(target)) {
            return;
        }
        FileModes.Kept old = found().kept();
        if (old != null && old.regularFile()) {
            // Only a regular file's mode: a link being replaced (followSymlinks off) has the
            // mode rwxrwxrwx, which would make the new file world-writable. The chmod is
            // skipped when the temp file already has the mode (its stat in copy shows it).
            FileModes.copy(old, tempFile);
            return;
        }
        Set<PosixFilePermission> mode = newFilePermissions != null ? newFilePermissions
                : FileModes.defaultFileMode(tempFile);
        // Created with this very mode (TempFileModes.finalModeAtCreation): no chmod, but one stat,
        // so that a link swapped in for the temp file is refused all the same, and which shows
        // that the mode is the one asked (a default ACL of the folder, not the umask, decides it
        // where there is one: then the chmod below gives the mode all the same).
        if (!mode.equals(createdWith) || !TempFileModes.requireRegularFile(tempFile).equals(mode)) {
            // open(O_NOFOLLOW) and fchmod: also refuses a link swapped in for the temp file.
            FileModes.setPermissions(tempFile, mode);
        }
    }

    /**
     * What is at the target: as seen when the lock was taken, or, when the write has taken
     * longer than {@link #LOOK_AGAIN_AFTER_NANOS} since and its temp file was created owner-only,
     * as seen now (once). Other programs may change a file's mode without any lock of ours (a
     * chmod); a long write looks again so that such a change is the one kept. For a short write
     * the two looks would be microseconds apart, and the second would cost a stat per write.
     *
     * <p>A temp file created with its final mode ({@link TempFileModes#finalModeAtCreation}, only
     * for content the library has in hand) is not looked at again: whoever that mode let open it
     * may keep reading through that descriptor whatever mode it gets later, so a narrower mode
     * found now would protect the published name but not the content. Such a write publishes the
     * mode it found under the lock, as a short write does; the temp file never grants anyone
     * more than the published file (TempFileModeTest).
     */
    FileModes.Found found() throws IOException {
        if (createdWith == null && !foundAgain && System.nanoTime() - foundNanos > LOOK_AGAIN_AFTER_NANOS) {
            found = FileModes.find(target);
            foundAgain = true;
            if (found.exists() && !found.symbolicLink()) {
                // Made a folder or a FIFO meanwhile by a program that takes no lock: still refused.
                Targets.requireFileTarget(target, found, operation);
            }
        }
        return found;
    }
}
