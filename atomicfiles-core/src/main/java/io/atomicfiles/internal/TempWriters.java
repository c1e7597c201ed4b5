package io.atomicfiles.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who wrote a temp file, and whether that writer is gone: the part of a temp name that lets a
 * later write remove what a killed writer left behind without ever harming a live one.
 *
 * <p>A temp name carries its writer as {@code <pid>-<start>-<machine>} (base 36): the process
 * id, the process's start time in milliseconds (a pid is reused, a pid with its start time is
 * not), and a tag of the machine and pid namespace it ran in (a pid means nothing on another
 * host sharing the folder over NFS, or in another container). A writer is
 * <ul>
 *   <li>{@link State#ALIVE} when a process with that pid and start time runs here;</li>
 *   <li>{@link State#GONE} when it ran here (same machine tag) and no such process runs: no
 *       process with that pid, or one that started at another time (the pid was reused);</li>
 *   <li>{@link State#UNKNOWN} otherwise: another machine or namespace, or this one's tag or a
 *       start time could not be read. Unknown writers' files are only removed by age
 *       ({@link TempFiles#sweep}).</li>
 * </ul>
 * Nothing is opened to decide (no lock file is probed: closing a descriptor of a file another
 * thread of this JVM has locked would drop that lock); {@link ProcessHandle} reads
 * {@code /proc}.
 */
final class TempWriters {
    private static final Logger LOG = LoggerFactory.getLogger(TempWriters.class);
    static final int MACHINE_CHARS = 6;
    /** The tag of a machine that could not be identified: such writers are always {@link State#UNKNOWN}. */
    static final String UNKNOWN_MACHINE = "0".repeat(MACHINE_CHARS);

    /** This process, as it signs its temp names: {@code <pid>-<start>-<machine>}. */
    static final String THIS = Long.toString(ProcessHandle.current().pid(), 36) + "-"
            + Long.toString(startMillis(ProcessHandle.current()).orElse(0L), 36) + "-" + Machine.TAG;

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
        Optional<ProcessHandle> process = ProcessHandle.of(id);
        if (process.isEmpty()) {
            return State.GONE;
        }
        Optional<Long> actual = startMillis(process.get());
        if (started == 0 || actual.isEmpty()) {
            // The process runs, and it cannot be told whether it is the writer: assume it is.
            return State.UNKNOWN;
        }
        return actual.get() == started ? State.ALIVE : State.GONE;
    }

    private static Optional<Long> startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    /**
     * A tag of this machine and pid namespace: {@value #MACHINE_CHARS} base-36 characters of the
     * SHA-256 of the kernel's boot id and the pid namespace (Linux); {@link #UNKNOWN_MACHINE}
     * where they cannot be read.
     */
    private static final class Machine {
        static final String TAG = tag();

        private static String tag() {
            try {
                String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
                String namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
                byte[] digest = Hashing.sha256().digest((bootId + "/" + namespace).getBytes(StandardCharsets.UTF_8));
                long value = 0;
                for (int i = 0; i < 8; i++) {
                    value = (value << 8) | (digest[i] & 0xff);
                }
                String tag = Long.toString(Math.floorMod(value, pow36(MACHINE_CHARS)), 36);
                tag = "0".repeat(MACHINE_CHARS - tag.length()) + tag;
                return tag.equals(UNKNOWN_MACHINE) ? "000001" : tag;
            } catch (IOException | RuntimeException e) {
                LOG.debug("no machine identity (boot id, pid namespace): temp files of killed writers are removed"
                        + " by age only", e);
                return UNKNOWN_MACHINE;
            }
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
