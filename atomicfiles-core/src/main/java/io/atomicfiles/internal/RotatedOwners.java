package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * Who may own a log's rotated files ({@link Rotation}), in a folder that every user may write
 * (a shared {@code /tmp}). There, a file another user put at {@code NAME.1} would be shifted
 * into the log's history as one of its generations (forged lines in {@code NAME.2}), and a
 * {@code NAME.1.gz} copied from the log's own {@code NAME.1} would be kept in its place while
 * the original is removed (a generation then in that user's hands, to delete). So each rotated
 * file, every time the rotation lists them, must belong to the log's owner, the folder's owner,
 * this process's user or root (with the log missing: the first other owner met stands for the
 * log's); another owner stops the rotation before it touches that file, naming it.
 *
 * <p>In a folder only its owner and group may write, whoever can put a file there can rename
 * and remove the log's files anyway, and groups share logs on purpose (an operator rotating
 * an application's log, leaving {@code .gz} files it could not give the log's owner): nothing
 * is checked. Nor where the filesystem has no POSIX owners and modes.
 */
final class RotatedOwners {
    private final Path target;
    /** Null: nothing to check (a folder others may not write, or no POSIX attributes). */
    private final UserPrincipal folderOwner;
    private UserPrincipal expected;
    private String whose = "the log's owner";

    private RotatedOwners(Path target, UserPrincipal folderOwner, UserPrincipal logOwner) {
        this.target = target;
        this.folderOwner = folderOwner;
        this.expected = logOwner;
    }

    /** The rule for {@code target}'s rotated files, from its folder's mode and owner and its own owner. */
    static RotatedOwners of(Path target) throws IOException {
        PosixFileAttributes folder;
        try {
            folder = Files.readAttributes(target.getParent(), PosixFileAttributes.class);
        } catch (UnsupportedOperationException noPosix) {
            return new RotatedOwners(target, null, null);
        }
        if (!folder.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            return new RotatedOwners(target, null, null);
        }
        UserPrincipal logOwner = Stat.exists(target) ? Files.getOwner(target, LinkOption.NOFOLLOW_LINKS) : null;
        return new RotatedOwners(target, folder.owner(), logOwner);
    }

    /** Throws, naming {@code rotated} and its owner, when another user may have put it there. */
    void require(Path rotated) throws IOException {
        if (folderOwner == null) {
            return;
        }
        UserPrincipal owner = Files.getOwner(rotated, LinkOption.NOFOLLOW_LINKS);
        if (owner.equals(expected) || owner.equals(folderOwner) || isOursOrRoot(rotated)) {
            return;
        }
        if (expected == null) {
            expected = owner;
            whose = "the owner of " + rotated.getFileName();
            return;
        }
        throw new AtomicWriteException("rotate " + target + " failed: " + rotated.getFileName() + " is owned by "
                + owner.getName() + ", not by " + whose + " (" + expected.getName() + "), in a folder every user may"
                + " write; a file another user put among the rotated names is not taken into the log's history."
                + " Rotation stopped before touching it: remove that file, or keep the log in a folder only its"
                + " owner can write", null,
                Map.of("operation", "rotate", "path", target.toString(), "step", "check owners"));
    }

    /** This process's user (a {@code .gz} it wrote and could not give the log's owner) or root: nobody else made it. */
    private static boolean isOursOrRoot(Path file) throws IOException {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException noUids) {
            return false;
        }
        return uid == 0 || uid == LinkRule.follower();
    }
}
