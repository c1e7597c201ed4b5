package io.atomicfiles.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stat that does not ask for the file's times: the type and permission bits, owner and group
 * of a path, not following a final link, from Linux's {@code statx(2)} with a mask that names
 * only those. A write asks it about its temp file, once, just before publishing it
 * ({@link FileModes#read}): to refuse a link swapped in for the temp file, and to learn the owner
 * and group the file got.
 *
 * <h2>Why not Java's stat</h2>
 *
 * Since Linux 6.13, on filesystems with multigrain timestamps (ext4, XFS, Btrfs, tmpfs), a stat
 * that reads a file's change or modification time marks those times as seen, so that the next
 * change to the file within the same clock tick takes a fine-grained timestamp and dirties the
 * inode once more. Java's stat always asks for
 * the times. After it, the rename that publishes the temp file dirties that inode again, and the
 * fsync that follows writes it again: 40-50 µs of a 1 KiB durable write on a journaled ext4,
 * where the whole write takes about a millisecond (BENCHMARKS.md, "W1: what the temp file's stat
 * costs on the journaled ext4", and "W1 with a stat that does not ask for the times"). A
 * {@code statx} whose mask leaves out the times does not mark them.
 *
 * <h2>When it answers</h2>
 *
 * Java has no call for {@code statx}; this class reaches it through JNA, which costs a fresh JVM
 * about 140 ms to load (it extracts its native stub, by default under {@code ~/.cache/JNA}, and
 * links it), while a write saves at most ~50 µs. So JNA is loaded on a library thread once the
 * process has asked for
 * {@value #LOAD_AFTER} such stats, and a short program (a command that writes a few files) never
 * loads it. It is not loaded at all off Linux, when the system property {@code atomicfiles.statx}
 * is {@code false}, or on JDK 24 and later unless the application enabled native access for JNA
 * ({@code --enable-native-access=ALL-UNNAMED}; the command line's jar does, in its manifest).
 *
 * <p>{@link #of} returns null whenever it cannot answer: not loaded (yet), a C library without
 * {@code statx}, a relative path, a name whose bytes do not survive the trip through text, a
 * failed call (no such file, permission denied). The caller then stats as Java does, which also
 * reports any failure as Java reports it. Both ways read the same fields of the same inode; only
 * the timestamps' bookkeeping differs.
 */
public final class UntimedStat {
    private static final Log LOG = Log.of(UntimedStat.class);

    /** The type and permission bits ({@code st_mode}), owner and group of a file. */
    public record Result(int mode, int uid, int gid) {
    }

    /** How many stats a process asks for before JNA is loaded; see the class comment. */
    static final int LOAD_AFTER = 1000;

    private static final int NOT_LOADED = 0;
    private static final int LOADING = 1;
    private static final int READY = 2;
    private static final int OFF = 3;
    private static final AtomicInteger STATE = new AtomicInteger(enabledHere() ? NOT_LOADED : OFF);
    private static final AtomicInteger ASKED = new AtomicInteger();

    // From <fcntl.h> and <linux/stat.h>, the same on every Linux architecture.
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_UID = 0x8;
    private static final int STATX_GID = 0x10;
    /** The fields asked for: no {@code STATX_MTIME} (0x40), no {@code STATX_CTIME} (0x80). */
    private static final int MASK = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID;
    /** {@code sizeof(struct statx)}, and the offsets of the fields read from it. */
    private static final int STRUCT_SIZE = 256;
    private static final int OFFSET_MASK = 0;
    private static final int OFFSET_UID = 20;
    private static final int OFFSET_GID = 24;
    private static final int OFFSET_MODE = 28;

    /**
     * The encoding the JDK gives file names in system calls ({@code sun.jnu.encoding}): set before
     * {@link #STATE} becomes {@code READY}, read only after it has.
     */
    private static Charset names;

    private UntimedStat() {
    }

    /**
     * The mode, owner and group of {@code path}, not following a final link, read without asking
     * for its times; null when this class cannot answer (see the class comment).
     */
    public static Result of(Path path) {
        int state = STATE.get();
        if (state != READY) {
            if (state == NOT_LOADED && ASKED.incrementAndGet() >= LOAD_AFTER
                    && STATE.compareAndSet(NOT_LOADED, LOADING)) {
                LibraryThreads.background().execute(UntimedStat::load);
            }
            return null;
        }
        if (!path.isAbsolute()) {
            // The JDK resolves a relative path against user.dir, which may not be the working folder.
            return null;
        }
        java.io.File file = Stat.ioFile(path);
        if (file == null) {
            return null;
        }
        return statx(nulTerminated(file.getPath()));
    }

    /**
     * Loads JNA now, on this thread, unless this class is off here; whether it answers now. For
     * tests, which make sure the writes they check stat this way, whatever ran before them.
     */
    public static boolean loadNow() {
        STATE.compareAndSet(NOT_LOADED, LOADING);
        load();
        return STATE.get() == READY;
    }

    /** Whether JNA is "not loaded", "loading", "ready" or "off" here, for tests. */
    static String state() {
        return new String[] {"not loaded", "loading", "ready", "off"}[STATE.get()];
    }

    /** Loads JNA and binds {@code statx}, once: {@code LOADING} becomes {@code READY} or {@code OFF}. */
    private static synchronized void load() {
        if (STATE.get() != LOADING) {
            return;
        }
        try {
            if (!nativeAccessEnabled()) {
                // JDK 24 and later warn on the standard error when a module without native access
                // loads a native library (JEP 472), and a later JDK will refuse it: a library must
                // not print that on its users' behalf, so JNA is used only where they enabled it.
                LOG.get().debug("statx(2) not used: native access is not enabled for JNA"
                        + " (java --enable-native-access=ALL-UNNAMED, or com.sun.jna on the module path)");
                return;
            }
            names = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            if (answersAsJavaDoes()) {
                STATE.set(READY);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // No JNA stub for this platform or a stub of another JNA version (a plain Error), no
            // statx in this C library, a JNA left out of the class path: Java's stat it is,
            // which costs only the timestamps' bookkeeping.
            LOG.get().debug("statx(2) is not available through JNA here; temp files are stat'ed as Java does: {}",
                    e.toString());
        } finally {
            STATE.compareAndSet(LOADING, OFF);
        }
    }

    /**
     * Whether JNA's module may load native code without a warning: always before JDK 24; from
     * JDK 24 on, when the application enabled native access for it. Asked without initialising
     * JNA's classes (whose initialiser loads its stub), through reflection, as the library is
     * compiled for Java 17, which has no {@code Module.isNativeAccessEnabled}.
     */
    private static boolean nativeAccessEnabled() throws ReflectiveOperationException {
        if (Runtime.version().feature() < 24) {
            return true;
        }
        Module jna = Class.forName("com.sun.jna.Native", false, UntimedStat.class.getClassLoader()).getModule();
        return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(jna);
    }

    /**
     * Whether {@code statx} answers for the JDK's own folder what Java's stat does: a check, once,
     * before any write relies on it, that the call works and the mode is read where it is (the
     * owner and group of that folder are often both 0; the tests check those offsets).
     */
    private static boolean answersAsJavaDoes() throws IOException {
        Path javaHome = Paths.get(System.getProperty("java.home")).toAbsolutePath();
        Result untimed = statx(nulTerminated(javaHome.toString()));
        Map<String, Object> java = Files.readAttributes(javaHome, "unix:mode,uid,gid", FileModes.NOFOLLOW);
        boolean same = untimed != null && untimed.mode() == (Integer) java.get("mode")
                && untimed.uid() == (Integer) java.get("uid") && untimed.gid() == (Integer) java.get("gid");
        if (!same) {
            LOG.get().warn("statx(2) through JNA read {} as {}, Java's stat as {}: not used", javaHome, untimed, java);
        }
        return same;
    }

    private static Result statx(byte[] name) {
        byte[] buffer = new byte[STRUCT_SIZE];
        if (Libc.statx(AT_FDCWD, name, AT_SYMLINK_NOFOLLOW, MASK, buffer) != 0) {
            return null;
        }
        ByteBuffer fields = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
        if ((fields.getInt(OFFSET_MASK) & MASK) != MASK) {
            // The filesystem did not fill in all four: ask Java.
            return null;
        }
        return new Result(fields.getShort(OFFSET_MODE) & 0xffff, fields.getInt(OFFSET_UID),
                fields.getInt(OFFSET_GID));
    }

    private static byte[] nulTerminated(String name) {
        return (name + '\0').getBytes(names);
    }

    /** Linux, on the JDK's own default filesystem, and not turned off by {@code atomicfiles.statx=false}. */
    private static boolean enabledHere() {
        return System.getProperty("os.name", "").startsWith("Linux")
                && !"false".equals(System.getProperty("atomicfiles.statx"))
                && java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    }

    /** The C library's {@code statx}, bound by {@link Native#register} (glibc 2.28 and later). */
    private static final class Libc {
        private Libc() {
        }

        static native int statx(int dirfd, byte[] pathname, int flags, int mask, byte[] statxbuf);
    }
}
