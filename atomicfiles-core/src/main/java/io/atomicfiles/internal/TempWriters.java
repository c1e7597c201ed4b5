package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Who wrote a temp file, and whether that writer is gone: the part of a temp name that lets a
 * later write remove what a killed writer left behind without ever harming a live one.
 *
 * <p>A temp name carries its writer as {@code <pid>-<start>-<machine>} (base 36): the process
 * id; the process's start time in clock ticks after boot, as the kernel keeps it in
 * {@code /proc/<pid>/stat} (a pid is reused, a pid with its start time is not; the ticks never
 * change for a process, unlike a start time in wall-clock milliseconds, which moves when the
 * clock is stepped); and a tag of the machine and pid namespace ({@code /etc/machine-id}, else
 * the boot id), since a pid means nothing on another host sharing the folder over NFS, or in
 * another container. A writer is
 * <ul>
 *   <li>{@link State#ALIVE} when a process with that pid and start time runs here (a zombie
 *       counts: it is kept);</li>
 *   <li>{@link State#GONE} when it ran here (same tag) and no such process runs: no process with
 *       that pid, or one that started at another time (the pid was reused, or the machine
 *       restarted);</li>
 *   <li>{@link State#UNKNOWN} otherwise: another machine or namespace, or ids that could not be
 *       read (no {@code /proc}). Unknown writers' files are only removed by age
 *       ({@link TempFiles#sweep}).</li>
 * </ul>
 * Nothing but {@code /proc/<pid>/stat} is opened to decide: no lock file is probed (closing a
 * descriptor of a file another thread of this JVM has locked would drop that lock).
 */
final class TempWriters {
    private static final Log LOG = Log.of(TempWriters.class);
    static final int MACHINE_CHARS = 6;
    /** The tag of a machine that could not be identified: such writers are always {@link State#UNKNOWN}. */
    static final String UNKNOWN_MACHINE = "0".repeat(MACHINE_CHARS);
    private static final long UNKNOWN_START = 0;

    /** This process, as it signs its temp names: {@code <pid>-<start>-<machine>}. */
    static final String THIS = Long.toString(ProcessHandle.current().pid(), 36) + "-"
            + Long.toString(startTicks(ProcessHandle.current().pid()), 36) + "-" + Machine.TAG;

    enum State { ALIVE, GONE, UNKNOWN }

    private TempWriters() {
    }

    /** The state of the writer {@code pid}/{@code start}/{@code machine} (as parsed from a temp name). */
    static State state(String pid, String start, String machine) {
        if (machine.equals(UNKNOWN_MACHINE) || !machine.equals(Machine.TAG)) {
            return State.UNKNOWN;
        }
        long id;
        long started;
        try {
            id = Long.parseLong(pid, 36);
            started = Long.parseLong(start, 36);
        } catch (NumberFormatException e) {
            return State.UNKNOWN;
        }
        long actual = startTicks(id);
        if (actual == -1) {
            return State.GONE;
        }
        if (actual == UNKNOWN_START || started == UNKNOWN_START) {
            // A process with that pid runs, and it cannot be told whether it is the writer.
            return State.UNKNOWN;
        }
        return actual == started ? State.ALIVE : State.GONE;
    }

    /**
     * The start time of process {@code pid} in clock ticks after boot (field 22 of
     * {@code /proc/<pid>/stat}); -1 when there is no such process; {@link #UNKNOWN_START} when it
     * cannot be read (no {@code /proc}: then {@link ProcessHandle} says only whether it runs).
     */
    private static long startTicks(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String line = Files.readString(stat, StandardCharsets.US_ASCII);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after it count from 3.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(fields[22 - 3]);
        } catch (NoSuchFileException e) {
            return Files.isDirectory(Path.of("/proc/self")) ? -1 : viaProcessHandle(pid);
        } catch (IOException | RuntimeException e) {
            return Files.isDirectory(Path.of("/proc/self")) ? UNKNOWN_START : viaProcessHandle(pid);
        }
    }

    private static long viaProcessHandle(long pid) {
        return ProcessHandle.of(pid).isPresent() ? UNKNOWN_START : -1;
    }

    /**
     * A tag of this machine and pid namespace: {@value #MACHINE_CHARS} base-36 characters of the
     * SHA-256 of the machine id (else the boot id) and the pid namespace (Linux);
     * {@link #UNKNOWN_MACHINE} where they cannot be read.
     */
    private static final class Machine {
        static final String TAG = tag();

        private static String tag() {
            try {
                String machine = firstReadable("/etc/machine-id", "/var/lib/dbus/machine-id",
                        "/proc/sys/kernel/random/boot_id");
                String namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
                byte[] digest = Hashing.sha256().digest((machine + "/" + namespace).getBytes(StandardCharsets.UTF_8));
                long value = 0;
                for (int i = 0; i < 8; i++) {
                    value = (value << 8) | (digest[i] & 0xff);
                }
                String tag = Long.toString(Math.floorMod(value, pow36(MACHINE_CHARS)), 36);
                tag = "0".repeat(MACHINE_CHARS - tag.length()) + tag;
                return tag.equals(UNKNOWN_MACHINE) ? "000001" : tag;
            } catch (IOException | RuntimeException e) {
                LOG.get().debug("no machine identity (machine id, pid namespace): temp files of killed writers are"
                        + " removed by age only", e);
                return UNKNOWN_MACHINE;
            }
        }

        private static String firstReadable(String... paths) throws IOException {
            IOException last = null;
            for (String path : paths) {
                try {
                    String id = Files.readString(Path.of(path), StandardCharsets.US_ASCII).strip();
                    if (!id.isEmpty()) {
                        return id;
                    }
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last != null ? last : new IOException("no machine id");
        }

        private static long pow36(int n) {
            long p = 1;
            for (int i = 0; i < n; i++) {
                p *= 36;
            }
            return p;
        }
    }
}
