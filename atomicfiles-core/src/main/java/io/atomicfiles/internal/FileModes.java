package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Permissions, owner and group of the files the library creates.
 *
 * <p>A temp file is created either with the mode it will be published with, when that grants
 * nobody anything the published file will not ({@link TempFileModes#finalModeAtCreation}), or else
 * owner-only ({@code rw-------}), so that nobody else can read content before it is published.
 * Just before publishing it takes the mode, owner and group of the file it replaces, or, for a
 * new file, the mode a plain {@code open(O_CREAT, 0666)} would have given it under the
 * process's umask. Where the filesystem has no POSIX
 * attributes (Windows, some in-memory filesystems) all of this is skipped.
 */
public final class FileModes {
    private static final Log LOG = Log.of(FileModes.class);
    /** The file-type bits of {@code st_mode} and three of their values (POSIX {@code <sys/stat.h>}). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    /** {@link PosixFilePermission#values()}, which copies its array on every call. */
    private static final PosixFilePermission[] ALL_PERMISSIONS = PosixFilePermission.values();

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
        java.nio.file.FileSystem fs = path.getFileSystem();
        return fs == DEFAULT_FS ? DEFAULT_POSIX : fs.supportedFileAttributeViews().contains("posix");
    }

    /**
     * The default filesystem and its views, asked once: a write asks about its views some six
     * times (each a set lookup), and a filesystem's supported views never change.
     */
    private static final java.nio.file.FileSystem DEFAULT_FS = java.nio.file.FileSystems.getDefault();
    private static final boolean DEFAULT_POSIX = DEFAULT_FS.supportedFileAttributeViews().contains("posix");
    private static final boolean DEFAULT_UNIX = DEFAULT_FS.supportedFileAttributeViews().contains("unix");

    /**
     * What a rewrite keeps of the file it replaces: its permissions, owner and group. The owner
     * and group are numbers where the filesystem offers the {@code unix} view (Linux, macOS):
     * comparing names would cost two lookups in the user and group databases per write.
     */
    public record Kept(Set<PosixFilePermission> permissions, Object owner, Object group, boolean regularFile) {
    }

    /**
     * What a write finds at its target (not following a final link), from one stat: whether
     * anything is there and what, how many names the file has ({@code links}, -1 where the
     * filesystem does not tell), and, where the filesystem has POSIX attributes, the mode, owner
     * and group to keep ({@code kept}, else null). {@code special} names a file that is neither
     * regular, folder nor link ("a FIFO (named pipe)", "a character device", ...), else null.
     */
    public record Found(boolean exists, boolean regularFile, boolean directory, boolean symbolicLink, String special,
            long links, Kept kept) {
        public static final Found NOTHING = new Found(false, false, false, false, null, 0, null);
    }

    /**
     * {@link Found} for {@code path}: {@link Found#NOTHING} when there is no such file (or a
     * parent of it is a file); any other failure (permission denied, an I/O error) is thrown,
     * never taken for "nothing there".
     */
    public static Found find(Path path) throws IOException {
        return find(path, true);
    }

    /** The attributes {@link #find} reads through the {@code unix} view, with and without the link count. */
    private static final String UNIX_WITH_LINKS = "unix:mode,uid,gid,nlink";
    private static final String UNIX_WITHOUT_LINKS = "unix:mode,uid,gid";
    /** {@link LinkOption#NOFOLLOW_LINKS} as the array the JDK's varargs would make anew on every stat. */
    static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /**
     * {@link #find(Path)}; without the link count ({@code links} -1) when {@code links} is false:
     * one attribute less to read, box and put into the JDK's map, for {@link #read}, which
     * keeps no link count (every write reads its temp file's attributes this way).
     */
    private static Found find(Path path, boolean links) throws IOException {
        UntimedStat.Result untimed = links ? null : UntimedStat.of(path);
        if (untimed != null) {
            // A temp file's stat, which asks not for its times: a stat that did would cost the
            // fsync after its rename ~45 µs on a journaled ext4 (UntimedStat's class comment).
            return found(untimed.mode(), -1, untimed.uid(), untimed.gid());
        }
        try {
            if (supportsUnixView(path)) {
                // Four attributes, and the file's type read from the mode's S_IFMT bits as the JDK
                // itself does: every write stats two or three paths, and each attribute named here
                // costs a map entry and a boxed value (reading the attributes, in Java, was ~5% of
                // a 1 KiB write's thread time in a profile, most of it building that map).
                Map<String, Object> unix = Files.readAttributes(path, links ? UNIX_WITH_LINKS : UNIX_WITHOUT_LINKS,
                        NOFOLLOW);
                int mode = (Integer) unix.get("mode");
                long linkCount = links ? ((Number) unix.get("nlink")).longValue() : -1;
                if ((mode & S_IFMT) != 0) {
                    return found(mode, linkCount, unix.get("uid"), unix.get("gid"));
                }
                // A provider whose mode holds the permission bits only (Jimfs): the type from
                // its basic attributes.
                BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
                return new Found(true, basic.isRegularFile(), basic.isDirectory(), basic.isSymbolicLink(),
                        basic.isOther() ? "a special file" : null, linkCount,
                        new Kept(permissions(mode), unix.get("uid"), unix.get("gid"), basic.isRegularFile()));
            }
            if (supportsPosix(path)) {
                PosixFileAttributes posix = Files.readAttributes(path, PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                return new Found(true, posix.isRegularFile(), posix.isDirectory(), posix.isSymbolicLink(),
                        posix.isOther() ? "a special file" : null, -1,
                        new Kept(posix.permissions(), posix.owner(), posix.group(), posix.isRegularFile()));
            }
            BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Found(true, basic.isRegularFile(), basic.isDirectory(), basic.isSymbolicLink(),
                    basic.isOther() ? "a special file" : null, -1, null);
        } catch (IOException e) {
            if (Stat.meansAbsent(e, path)) {
                return Found.NOTHING;
            }
            throw e;
        }
    }

    /** {@link Found} from an {@code st_mode} that holds the file's type, with its link count, owner and group. */
    private static Found found(int mode, long links, Object uid, Object gid) {
        int type = mode & S_IFMT;
        boolean regular = type == S_IFREG;
        boolean directory = type == S_IFDIR;
        boolean link = type == S_IFLNK;
        String special = regular || directory || link ? null : specialType(mode);
        return new Found(true, regular, directory, link, special, links, new Kept(permissions(mode), uid, gid, regular));
    }

    /** What a file of {@code st_mode} is, in words, for a file that is neither regular, folder nor link. */
    static String specialType(int mode) {
        switch (mode & S_IFMT) {
            case 0010000:
                return "a FIFO (named pipe)";
            case 0020000:
                return "a character device";
            case 0060000:
                return "a block device";
            case 0140000:
                return "a socket";
            default:
                return "a special file";
        }
    }

    /**
     * The permissions, owner and group of {@code file} (not following a final link), or null
     * when there is no such file or the filesystem has no POSIX attributes.
     */
    public static Kept read(Path file) throws IOException {
        return supportsPosix(file) ? find(file, false).kept() : null;
    }

    /**
     * Gives {@code file} (a temp file of ours, owner-only) the owner, group and permissions
     * {@code original} kept, in that order and never following a link planted at its name:
     *
     * <ol>
     *   <li>The group, then the owner, while the file is still owner-only: set first, they never
     *       let anyone read it under the old mode with the wrong owner or group. Changing the owner
     *       needs privileges a normal user lacks, and changing the group needs membership in it;
     *       a file a user rewrites then becomes theirs, as with any editor that saves by rename.</li>
     *   <li>The permissions, narrowed where the owner or group could not be kept, so that a
     *       rewrite never widens who may read or write the file: when the group is not the old
     *       one, its bits keep only what everyone else was allowed anyway (a {@code root:secret
     *       0640} file rewritten by bob, who is not in {@code secret}, becomes {@code bob:bob
     *       0600}, not readable by bob's group). When the owner is not the old one, the owner is the
     *       writer, who wrote the content: the owner bits give nobody else anything. Set-id and
     *       sticky bits are never copied.</li>
     * </ol>
     *
     * @return the permissions given, which are {@code original}'s or narrower
     */
    public static Set<PosixFilePermission> copy(Kept original, Path file) throws IOException {
        if (original == null) {
            return null;
        }
        Kept now = read(file);
        if (now == null || !now.regularFile()) {
            // Gone, or swapped for a link or something else: never published, never given a mode.
            throw TempFileModes.notOurTempFile(file);
        }
        boolean groupKept = now.group().equals(original.group());
        boolean ownerKept = now.owner().equals(original.owner());
        String view = original.owner() instanceof Integer ? "unix:" : "posix:";
        if (!groupKept) {
            groupKept = trySet(file, view + (view.equals("unix:") ? "gid" : "group"), original.group());
        }
        if (!ownerKept) {
            ownerKept = trySet(file, view + (view.equals("unix:") ? "uid" : "owner"), original.owner());
        }
        // The original's own set when nothing narrows it (read only; the common rewrite).
        Set<PosixFilePermission> permissions = original.permissions();
        if (!groupKept) {
            permissions = EnumSet.noneOf(PosixFilePermission.class);
            permissions.addAll(original.permissions());
            narrowGroupToOthers(permissions);
            if (!permissions.equals(original.permissions())) {
                LOG.get().info("{}: its group {} could not be kept (the file now has group {}); group permissions reduced"
                        + " from {} to {} so that the new group gains nothing", file, original.group(), now.group(),
                        PosixFilePermissions.toString(original.permissions()),
                        PosixFilePermissions.toString(permissions));
            }
        }
        if (!ownerKept) {
            LOG.get().debug("{}: owner {} could not be kept; the file is the writer's ({})", file, original.owner(),
                    now.owner());
        }
        if (!permissions.equals(now.permissions())) {
            // The temp file was created owner-only (or the mode to keep changed meanwhile).
            setPermissions(file, permissions);
        }
        // Else it was created with exactly this mode (TempFileModes.finalModeAtCreation): the stat
        // above has just shown it, so a chmod would change nothing.
        return permissions;
    }

    /** Sets one owner attribute, without following a link; false when the process may not. */
    private static boolean trySet(Path file, String attribute, Object value) throws IOException {
        try {
            Files.setAttribute(file, attribute, value, LinkOption.NOFOLLOW_LINKS);
            return true;
        } catch (FileSystemException | UnsupportedOperationException | IllegalArgumentException e) {
            LOG.get().debug("could not set {}={} on {}: {}", attribute, value, file, e.toString());
            return false;
        }
    }

    /** The group bits keep only what others may: members of a group that was not the file's gain nothing. */
    static void narrowGroupToOthers(Set<PosixFilePermission> permissions) {
        narrow(permissions, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        narrow(permissions, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        narrow(permissions, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    }

    private static void narrow(Set<PosixFilePermission> permissions, PosixFilePermission group,
            PosixFilePermission others) {
        if (!permissions.contains(others)) {
            permissions.remove(group);
        }
    }

    /**
     * {@code chmod} that never follows a symbolic link at {@code file} ({@code openat(O_NOFOLLOW)}
     * and {@code fchmod}, {@link NoFollowChmod}): someone who may rename entries of the folder
     * could otherwise swap the temp file for a link, and have the mode of a file of their choosing
     * changed.
     */
    public static void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
        NoFollowChmod.apply(file, permissions);
    }

    private static boolean supportsUnixView(Path path) {
        java.nio.file.FileSystem fs = path.getFileSystem();
        return fs == DEFAULT_FS ? DEFAULT_UNIX : fs.supportedFileAttributeViews().contains("unix");
    }

    /** The process's umask (read once: the kernel's {@code Umask} line of /proc/self/status on Linux). */
    static int umask() {
        return Umask.VALUE;
    }

    /** The {@code st_mode} permission bits of {@code permissions}. */
    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    /** The permission bits of a {@code st_mode}. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : ALL_PERMISSIONS) {
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
        setPermissions(file, defaultFileMode(file));
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
                LOG.get().debug("umask not readable from /proc/self/status; probing", e);
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
                LOG.get().debug("umask probe failed; assuming 022", e);
                return 022;
            } finally {
                if (!scratch.delete()) {
                    scratch.deleteOnExit();
                }
            }
        }
    }
}
