package io.atomicfiles.journal;

import io.atomicfiles.internal.FileModes;
import io.atomicfiles.internal.TempFileModes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The mode a staged file ({@link Staging}) is created with and the mode it is given before its
 * content is forced: created owner-only (nobody reads or writes unpublished content) or, when
 * that grants nobody anything the published file will not, with the very mode it will be
 * published with ({@link TempFileModes#finalModeAtCreation}, the rule single writes use), which
 * spares it an {@code open}, an {@code fchmod} and a {@code close}.
 *
 * @param replaced the file replaced's mode, owner and group, or null (a new target)
 * @param permissions the permissions to publish with
 * @param createdWith {@code permissions} when the staged file may be created with them, else null
 */
record StagedMode(FileModes.Kept replaced, Set<PosixFilePermission> permissions,
        Set<PosixFilePermission> createdWith) {
    /** No POSIX modes on this filesystem: created as the provider creates files, nothing given. */
    static final StagedMode NONE = new StagedMode(null, null, null);

    /**
     * The mode, owner and group of the file replaced; else the source's permissions (copy, move);
     * else the umask's. Read before the staged file is created, so that it can be created with
     * that mode when {@link TempFileModes#finalModeAtCreation} allows.
     */
    static StagedMode of(Step.Stage stage) throws IOException {
        if (!FileModes.supportsPosix(stage.path())) {
            return StagedMode.NONE;
        }
        FileModes.Kept replaced = FileModes.read(stage.target());
        Set<PosixFilePermission> permissions = replaced != null ? replaced.permissions()
                : stage.source() != null ? Files.getPosixFilePermissions(stage.source())
                : FileModes.defaultFileMode(stage.path());
        return new StagedMode(replaced, permissions,
                TempFileModes.finalModeAtCreation(stage.path().getParent(), permissions));
    }

    FileAttribute<?>[] creationAttribute(Path staged) {
        if (permissions == null) {
            return new FileAttribute<?>[0];
        }
        return createdWith != null ? TempFileModes.fileAttribute(createdWith)
                : FileModes.ownerOnlyFileAttribute(staged.getParent());
    }

    /**
     * Gives the staged file its final mode (before the fsync, which then covers it). Each way
     * refuses a link swapped in for the staged file by someone who may rename entries of its
     * folder: {@link FileModes#copy} and {@link TempFileModes#requireRegularFile} by a stat
     * that does not follow it, {@link FileModes#setPermissions} by {@code open(O_NOFOLLOW)}.
     */
    void give(Path staged) throws IOException {
        if (permissions == null) {
            return;
        }
        if (replaced != null) {
            // Group and owner first, then the permissions (narrowed where those could not be
            // kept); no chmod when the stat in copy shows the mode it was created with.
            FileModes.copy(replaced, staged);
        } else if (createdWith == null || !TempFileModes.requireRegularFile(staged).equals(permissions)) {
            // Owner-only so far, or a default ACL of the folder (not the umask) decided the
            // mode at creation: the chmod gives the mode all the same.
            FileModes.setPermissions(staged, permissions);
        }
    }
}
