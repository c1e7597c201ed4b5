package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mode, owner and group of a new lock file, derived from its folder: every user who can
 * write the folder (and so could replace the files in it) can open the lock file for writing,
 * and nobody else can open it at all (a reader could take a shared lock and stall writers).
 *
 * <ul>
 *   <li>mode: {@code rw} for the owner; {@code rw} for the group only where the folder is
 *       group-writable, for others only where it is writable by others;</li>
 *   <li>group: the folder's group (where the creator may give it);</li>
 *   <li>owner: the folder's owner (only root may give a file away): after
 *       {@code sudo atomicfiles write ~/notes.txt}, the lock file in {@code ~} is the user's,
 *       not root's.</li>
 * </ul>
 *
 * <p>The changes are made through {@code /proc/self/fd/N}, the descriptor the creator holds,
 * never through the name: whoever can write the folder could swap the name for a hard link to
 * another file between the create and a {@code chmod} or {@code chown} by name, and root would
 * then widen or give away that file. Where {@code /proc} cannot tell which descriptor it is,
 * nothing is changed: the lock file stays owner-only (a clear "cannot be opened" error for other
 * users, never a widened file).
 */
final class LockFileModes {
    private static final Log LOG = Log.of(LockFileModes.class);
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");

    private LockFileModes() {
    }

    /** Gives the lock file just created at {@code lockFile} (and open in this JVM) its mode, group and owner. */
    static void apply(Path lockFile, Path folder) throws IOException {
        if (!FileModes.supportsPosix(folder)) {
            return;
        }
        PosixFileAttributes folderAttributes = Files.readAttributes(folder, PosixFileAttributes.class);
        Set<PosixFilePermission> mode = modeFor(folderAttributes.permissions());
        Path descriptor = descriptorOf(lockFile);
        if (descriptor == null) {
            LOG.get().debug("lock file {} stays owner-only: its descriptor is not found in /proc/self/fd", lockFile);
            return;
        }
        // Following the magic link of /proc/self/fd/N reaches the inode the descriptor holds.
        PosixFileAttributeView view = Files.getFileAttributeView(descriptor, PosixFileAttributeView.class);
        PosixFileAttributes now = view.readAttributes();
        trySetGroup(view, now.group(), folderAttributes.group(), lockFile);
        trySetOwner(view, now.owner(), folderAttributes.owner(), lockFile);
        // After chown, which may clear bits; the mode is the creator's to set while it owns it, and
        // root's whatever the owner.
        try {
            view.setPermissions(mode);
        } catch (IOException e) {
            LOG.get().debug("lock file {}: keeping its mode: {}", lockFile, e.toString());
        }
    }

    /** {@code rw} for the owner, and for the group and others where they may write the folder. */
    static Set<PosixFilePermission> modeFor(Set<PosixFilePermission> folderMode) {
        Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (folderMode.contains(PosixFilePermission.GROUP_WRITE)) {
            mode.add(PosixFilePermission.GROUP_READ);
            mode.add(PosixFilePermission.GROUP_WRITE);
        }
        if (folderMode.contains(PosixFilePermission.OTHERS_WRITE)) {
            mode.add(PosixFilePermission.OTHERS_READ);
            mode.add(PosixFilePermission.OTHERS_WRITE);
        }
        return mode;
    }

    private static void trySetGroup(PosixFileAttributeView view, GroupPrincipal now, GroupPrincipal wanted,
            Path lockFile) {
        if (!now.equals(wanted)) {
            try {
                view.setGroup(wanted);
            } catch (IOException e) {
                // Not a member of the folder's group: members of it who are not the owner get a
                // clear error when they lock, rather than a file opened to a group it was not for.
                LOG.get().debug("lock file {}: keeping group {}: {}", lockFile, now.getName(), e.toString());
            }
        }
    }

    private static void trySetOwner(PosixFileAttributeView view, UserPrincipal now, UserPrincipal wanted,
            Path lockFile) {
        if (!now.equals(wanted)) {
            try {
                view.setOwner(wanted);
            } catch (IOException e) {
                LOG.get().debug("lock file {}: keeping owner {}: {}", lockFile, now.getName(), e.toString());
            }
        }
    }

    /**
     * {@code /proc/self/fd/N} of the one descriptor of this process whose path is {@code file},
     * or null where there is no {@code /proc}, or not exactly one such descriptor. Called while
     * {@link LockFiles} opens lock files one at a time, so no other lock file descriptor of that
     * path is being made meanwhile.
     */
    static Path descriptorOf(Path file) {
        if (!Files.isDirectory(OWN_DESCRIPTORS)) {
            return null;
        }
        String wanted = file.toString();
        Path found = null;
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(OWN_DESCRIPTORS)) {
            for (Path descriptor : descriptors) {
                Path target;
                try {
                    target = Files.readSymbolicLink(descriptor);
                } catch (IOException | UnsupportedOperationException closedMeanwhile) {
                    continue;
                }
                if (target.toString().equals(wanted)) {
                    if (found != null) {
                        return null;
                    }
                    found = descriptor;
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return null;
        }
        if (found != null && !Files.isRegularFile(found)) {
            return null;
        }
        return found;
    }
}
