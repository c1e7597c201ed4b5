package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A {@code chmod} that never follows a symbolic link at the file's name: the one the library
 * gives its temp files, which someone who may rename entries of their folder could swap for a
 * link to a file of their choosing (whose mode the chmod would then change: run as root, that
 * makes {@code /etc/shadow} readable).
 *
 * <p>Java's {@code PosixFileAttributeView} with {@link LinkOption#NOFOLLOW_LINKS} does not
 * promise this. JDK 17 implements it with {@code open(O_NOFOLLOW)} and {@code fchmod}, which
 * refuses a link; JDK 25 changes the mode of the file the link names
 * ({@code NoFollowChmodTest} runs it on every JDK installed). A {@link SecureDirectoryStream} of
 * the folder opens the file relative to the folder with {@code O_NOFOLLOW} and changes the mode
 * through that descriptor, on every JDK: that is the way taken.
 */
final class NoFollowChmod {
    private NoFollowChmod() {
    }

    /**
     * Gives {@code file} {@code permissions} without following a link at its name: fails (with
     * ELOOP, "Too many levels of symbolic links") where a link is there.
     *
     * <p>On the default filesystem, where the folder has no {@link SecureDirectoryStream} (not
     * Linux) or cannot be opened for reading (a write-only drop-box folder), the file is looked at
     * first and refused unless it is a regular file, then changed by name: a link swapped in
     * between that look and the chmod would still be followed on a JDK that follows it. Those two
     * cases are the residue. Other filesystems (Jimfs, the tests' fault-injecting wrapper) are
     * changed by name, as their own providers define {@code NOFOLLOW_LINKS}.
     */
    static void apply(Path file, Set<PosixFilePermission> permissions) throws IOException {
        if (file.getFileSystem() == DEFAULT) {
            Path name = file.getFileName();
            Path folder = file.toAbsolutePath().getParent();
            if (name != null && folder != null) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                    if (entries instanceof SecureDirectoryStream<Path> secure) {
                        PosixFileAttributeView view = secure.getFileAttributeView(name,
                                PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                        if (view != null) {
                            view.setPermissions(permissions);
                            return;
                        }
                    }
                } catch (AccessDeniedException unreadableFolder) {
                    // A folder we may write but not list: by name, below.
                }
            }
            BasicFileAttributes seen = Stat.attributes(file);
            if (seen == null || !seen.isRegularFile()) {
                throw TempFileModes.notOurTempFile(file);
            }
        }
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new UnsupportedOperationException("no POSIX permissions on " + file.getFileSystem());
        }
        view.setPermissions(permissions);
    }

    private static final FileSystem DEFAULT = FileSystems.getDefault();
}
