package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The mode a write's temp file is created with (step 2 of {@link WriteProtocol}): owner-only, or
 * the mode it will be published with when that grants nobody anything the published file will
 * not ({@link #finalModeAtCreation}), which spares the write an {@code open}, a {@code chmod} and
 * a {@code close}; and the check that such a temp file, which gets no {@code chmod} (whose
 * {@code open(O_NOFOLLOW)} refused a link), is still a regular file before it is published.
 */
public final class TempFileModes {
    private TempFileModes() {
    }

    /**
     * The mode to create a temp file with so that it needs no {@code chmod} before it is
     * published: {@code finalMode} itself, when creating the file with it grants nobody anything
     * the published file will not grant them anyway; else null, and the temp file is created
     * owner-only ({@link FileModes#ownerOnlyFileAttribute}) and given its mode later. All of these must hold:
     *
     * <ol>
     *   <li>The filesystem is the default one, whose {@code open(2)} applies the process's umask
     *       ({@link FileModes#umask()}), and has POSIX modes.</li>
     *   <li>The umask strips no bit of {@code finalMode}: the file is created with exactly that
     *       mode (a stripped bit could turn, say, {@code 0644} into {@code 0640}, which grants the
     *       group more than others).</li>
     *   <li>Its group bits grant nothing its other bits do not. Until the group of the file
     *       replaced is set ({@link FileModes#copy}), the temp file has the writer's group (or the
     *       folder's, in a set-group-ID folder), which the published file may not have: members
     *       of that group must gain nothing from it, and then they do not.</li>
     * </ol>
     *
     * <p>Set-user-ID, set-group-ID and sticky bits cannot be in a {@code Set<PosixFilePermission>}:
     * they are never given to a temp file. The owner of the temp file is the writer, who has the
     * content anyway; everyone else may read the temp file only if the published file (the same
     * inode, renamed) lets them read it a moment later: nothing leaks that publishing would not show.
     */
    public static Set<PosixFilePermission> finalModeAtCreation(Path folder, Set<PosixFilePermission> finalMode) {
        if (finalMode == null || !"file".equals(folder.getFileSystem().provider().getScheme())
                || !FileModes.supportsPosix(folder)) {
            return null;
        }
        return grantsNoMoreAtCreation(FileModes.mode(finalMode), FileModes.umask()) ? finalMode : null;
    }

    /**
     * The rule of {@link #finalModeAtCreation} for a mode and a umask (tests try umasks other than
     * this process's): the umask strips none of {@code mode}'s bits, and its group bits grant
     * nothing its other bits do not.
     */
    static boolean grantsNoMoreAtCreation(int mode, int umask) {
        if ((mode & ~0777) != 0 || (mode & umask) != 0) {
            return false;
        }
        int group = (mode >> 3) & 07;
        int others = mode & 07;
        return (group & ~others) == 0;
    }

    /** The file attribute that creates a file with {@code permissions} (exactly, under {@link #finalModeAtCreation}'s rule). */
    public static FileAttribute<?>[] fileAttribute(Set<PosixFilePermission> permissions) {
        // One attribute per mode, made once: the JDK's copies the set into a new HashSet each time,
        // on every write (issue 11, W1). The attribute is immutable; the array around it is the caller's.
        int mode = FileModes.mode(permissions);
        FileAttribute<Set<PosixFilePermission>> attribute = BY_MODE[mode];
        if (attribute == null) {
            attribute = PosixFilePermissions.asFileAttribute(permissions);
            BY_MODE[mode] = attribute;
        }
        return new FileAttribute<?>[] {attribute};
    }

    /** {@link #fileAttribute}'s attributes by mode ({@code 0} to {@code 0777}); a race makes one twice, harmlessly. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final FileAttribute<Set<PosixFilePermission>>[] BY_MODE = new FileAttribute[01000];

    /**
     * Fails unless {@code file} (a temp file of ours) is still a regular file, not following a
     * link: someone who may rename entries of the folder could have swapped it for a link to a
     * file of their choosing, which the rename would publish under the target's name. (Where the
     * temp file gets a {@code chmod}, its {@code open(O_NOFOLLOW)} refuses such a link; where it
     * needs none, this one stat does.)
     *
     * @return its permissions, as the same stat shows them
     */
    public static Set<PosixFilePermission> requireRegularFile(Path file) throws IOException {
        // FileModes.read: the stat that does not ask for the file's times, where there is one.
        FileModes.Kept attributes = FileModes.read(file);
        if (attributes == null || !attributes.regularFile()) {
            throw notOurTempFile(file);
        }
        return attributes.permissions();
    }

    static FileSystemException notOurTempFile(Path file) {
        return new FileSystemException(file.toString(), null, "the temp file is no longer a regular file: someone"
                + " who may rename entries of its folder replaced it (it is not published)");
    }
}
