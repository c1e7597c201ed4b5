package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Permissions, owner and group of the files the library creates.
 *
 * <p>A temp file is created owner-only ({@code rw-------}) so that nobody else can read
 * content before it is published. Just before publishing it takes the mode, owner and group
 * of the file it replaces, or, for a new file, the mode a plain {@code open(O_CREAT, 0666)}
 * would have given it under the process's umask. Where the filesystem has no POSIX
 * attributes (Windows, some in-memory filesystems) all of this is skipped.
 */
public final class FileModes {
    private static final Logger LOG = LoggerFactory.getLogger(FileModes.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private FileModes() {
    }

    /** The attribute that creates a file owner-only, or none where modes are unsupported. */
    public static FileAttribute<?>[] ownerOnlyFileAttribute(Path folder) {
        return supportsPosix(folder)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    /** The attribute that creates a folder owner-only, or none where modes are unsupported. */
    public static FileAttribute<?>[] ownerOnlyFolderAttribute(Path folder) {
        return supportsPosix(folder)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER)}
                : new FileAttribute<?>[0];
    }

    /** Whether files on {@code path}'s filesystem have POSIX permissions. */
    public static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * What a rewrite keeps of the file it replaces: its permissions, owner and group. The owner
     * and group are numbers where the filesystem offers the {@code unix} view (Linux, macOS):
     * comparing names would cost two lookups in the user and group databases per write.
     */
    public record Kept(Set<PosixFilePermission> permissions, Object owner, Object group, boolean regularFile) {
    }

    /**
     * What a write finds at its target (not following a final link), from one stat: whether
     * anything is there and what, and, where the filesystem has POSIX attributes, the mode,
     * owner and group to keep ({@code kept}, else null).
     */
    public record Found(boolean exists, boolean regularFile, boolean directory, boolean symbolicLink, Kept kept) {
        public static final Found NOTHING = new Found(false, false, false, false, null);
    }

    /**
     * {@link Found} for {@code path}: {@link Found#NOTHING} when there is no such file (or a
     * parent of it is a file); any other failure (permission denied, an I/O error) is thrown,
     * never taken for "nothing there".
     */
    public static Found find(Path path) throws IOException {
        try {
            if (supportsUnixView(path)) {
                Map<String, Object> unix = Files.readAttributes(path,
                        "unix:mode,uid,gid,isRegularFile,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
                boolean regular = (Boolean) unix.get("isRegularFile");
                return new Found(true, regular, (Boolean) unix.get("isDirectory"), (Boolean) unix.get("isSymbolicLink"),
                        new Kept(permissions((Integer) unix.get("mode")), unix.get("uid"), unix.get("gid"), regular));
            }
            if (supportsPosix(path)) {
                PosixFileAttributes posix = Files.readAttributes(path, PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                return new Found(true, posix.isRegularFile(), posix.isDirectory(), posix.isSymbolicLink(),
                        new Kept(posix.permissions(), posix.owner(), posix.group(), posix.isRegularFile()));
            }
            BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Found(true, basic.isRegularFile(), basic.isDirectory(), basic.isSymbolicLink(), null);
        } catch (IOException e) {
            if (Stat.meansAbsent(e, path)) {
                return Found.NOTHING;
            }
            throw e;
        }
    }

    /**
     * The permissions, owner and group of {@code file} (not following a final link), or null
     * when there is no such file or the filesystem has no POSIX attributes.
     */
    public static Kept read(Path file) throws IOException {
        return supportsPosix(file) ? find(file).kept() : null;
    }

    /**
     * Gives {@code file} the permissions, owner and group {@code original} kept. The mode is
     * required; the owner and group are kept where the process may set them (changing the owner
     * needs privileges a normal user lacks, and a file a user rewrites becomes theirs, as with
     * any editor).
     */
    public static void copy(Kept original, Path file) throws IOException {
        if (original == null) {
            return;
        }
        Files.setPosixFilePermissions(file, original.permissions());
        Kept now = read(file);
        try {
            String view = original.owner() instanceof Integer ? "unix:" : "posix:";
            if (!now.group().equals(original.group())) {
                Files.setAttribute(file, view + (view.equals("unix:") ? "gid" : "group"), original.group(),
                        LinkOption.NOFOLLOW_LINKS);
            }
            if (!now.owner().equals(original.owner())) {
                Files.setAttribute(file, view + (view.equals("unix:") ? "uid" : "owner"), original.owner(),
                        LinkOption.NOFOLLOW_LINKS);
            }
        } catch (FileSystemException | UnsupportedOperationException | IllegalArgumentException e) {
            LOG.debug("could not keep owner/group {}:{} on {}: {}", original.owner(), original.group(), file,
                    e.toString());
        }
    }

    private static boolean supportsUnixView(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    /** The permission bits of a {@code st_mode}. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                permissions.add(p);
            }
        }
        return permissions;
    }

    /** Gives a new file the mode {@code 0666 & ~umask}, as if it had been created by {@code open(2)}. */
    public static void applyDefaultMode(Path file) throws IOException {
        if (!supportsPosix(file)) {
            return;
        }
        Files.setPosixFilePermissions(file, defaultFileMode(file));
    }

    /** {@code 0666 & ~umask}: the mode of a newly created file. */
    public static Set<PosixFilePermission> defaultFileMode(Path file) {
        if (!"file".equals(file.getFileSystem().provider().getScheme())) {
            return PosixFilePermissions.fromString("rw-r--r--");
        }
        int mode = 0666 & ~Umask.VALUE;
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    /** The process's umask, read once: from /proc/self/status on Linux, else 022. */
    private static final class Umask {
        static final int VALUE = read();

        private static int read() {
            try {
                List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
                for (String line : status) {
                    if (line.startsWith("Umask:")) {
                        return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("umask not readable from /proc/self/status; probing", e);
            }
            return probe();
        }

        /** Creates a scratch file the plain way (mode 0666 minus the umask) and reads its mode. */
        private static int probe() {
            java.io.File scratch = new java.io.File(System.getProperty("java.io.tmpdir"),
                    ".atomicfiles-umask-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                if (!scratch.createNewFile()) {
                    return 022;
                }
                int mode = 0;
                for (PosixFilePermission p : Files.getPosixFilePermissions(scratch.toPath())) {
                    mode |= 1 << (8 - p.ordinal());
                }
                return ~mode & 0666;
            } catch (IOException | RuntimeException e) {
                LOG.debug("umask probe failed; assuming 022", e);
                return 022;
            } finally {
                if (!scratch.delete()) {
                    scratch.deleteOnExit();
                }
            }
        }
    }
}
