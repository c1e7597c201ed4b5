import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.bench.BareProtocol;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What one stat costs a 1 KiB durable write, by where it stands in the bare protocol (issue 11,
 * W1; BENCHMARKS.md, "W1: what the temp file's stat costs"). Variants in turns into one folder,
 * like ../w1c/Drive2.java, whose markers and trace scripts it shares: variant k is preceded by
 * k+1 access() calls of /MARK, and ends at a clock_gettime system call.
 *
 * <pre>
 * bare          the bare protocol: create, write, fsync, close, rename, fsync of the folder
 * lib           AtomicFiles.writeBytes, backup and verification off
 * stat-before   bare + a stat of the temp file between its create and its write
 * stat-after    bare + a stat of the temp file after its write (where the library has it)
 * stat-fsynced  bare + a stat of the temp file after its fsync
 * stat-chmod    stat-after, then a chmod of the temp file to its own mode (before the fsync)
 * stat-target   bare + a stat of the target before the create (the library's look under the lock)
 * floor         bare + a stat and a 1-byte write of a file on /dev/shm between the fsync and the rename
 * spin          bare + 4.5 ms of busy waiting after the fsync (a clock tick passes before the rename)
 * stat-spin     stat-after, and 4.5 ms of busy waiting after the fsync
 * all           bare + every system call the library adds: lock, stat of the lock file, stat of
 *               the target, the library's temp name, stat of the temp file after the write, unlock
 * </pre>
 *
 * Usage: {@code java -cp benchmarks.jar:. Stats DIR WARM N v1,v2,...} with
 * {@code -DwarmDir=/dev/shm/...} to warm the JIT on tmpfs.
 */
public class Stats {
    private static final Random RANDOM = new Random();
    private static final WriteOptions LEAN = WriteOptions.builder().backup(false).verifyIntegrity(false)
            .showProgress(false).durability(Durability.FULL).build();
    private static final String MODE = "unix:mode,uid,gid,nlink";
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    interface Write {
        void run() throws Exception;
    }

    /** Where extra work goes in {@link #bare}. */
    interface Hook {
        void at(Path temp) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int warm = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        byte[] content = new byte[1024];
        new Random(42).nextBytes(content);
        Path warmDir = Files.createDirectories(Path.of(System.getProperty("warmDir", args[0])));
        List<Write> writes = new ArrayList<>();
        List<Write> warmWrites = new ArrayList<>();
        for (String variant : args[3].split(",")) {
            writes.add(make(variant, dir, content));
            warmWrites.add(make(variant, warmDir, content));
        }
        for (int i = 0; i < warm; i++) {
            for (Write w : warmWrites) {
                w.run();
            }
        }
        for (int i = 0; i < 300; i++) {
            for (Write w : writes) {
                w.run();
            }
        }
        System.out.println("TID " + Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName());
        System.out.flush();
        Path go = Path.of("/tmp/w1c/go");
        while (!Files.exists(go)) {
            Thread.sleep(50);
        }
        Files.exists(Path.of("/MARK-START"));
        int count = writes.size();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < count; k++) {
                int v = (i + k) % count;
                for (int m = 0; m <= v; m++) {
                    Files.exists(Path.of("/MARK"));
                }
                writes.get(v).run();
                // The end marker: a clock_gettime system call (a thread's CPU clock is not in the vDSO).
                THREADS.getCurrentThreadCpuTime();
            }
        }
        Files.exists(Path.of("/MARK-END"));
    }

    static Write make(String variant, Path dir, byte[] c) throws Exception {
        Path t = dir.resolve(variant + ".bin");
        Files.write(t, c);
        Hook none = temp -> { };
        Hook stat = temp -> Files.readAttributes(temp, MODE, LinkOption.NOFOLLOW_LINKS);
        switch (variant) {
            case "bare": return () -> BareProtocol.write(t, c);
            case "lib": return () -> AtomicFiles.writeBytes(t, c, LEAN);
            case "stat-before": return () -> bare(t, c, shortName(t), stat, none, none);
            case "stat-after": return () -> bare(t, c, shortName(t), none, stat, none);
            case "stat-fsynced": return () -> bare(t, c, shortName(t), none, none, stat);
            case "stat-chmod": return () -> bare(t, c, shortName(t), none, temp -> {
                Object mode = Files.readAttributes(temp, MODE, LinkOption.NOFOLLOW_LINKS).get("mode");
                Files.setAttribute(temp, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
            }, none);
            case "stat-target": return () -> {
                Files.readAttributes(t, MODE, LinkOption.NOFOLLOW_LINKS);
                bare(t, c, shortName(t), none, none, none);
            };
            case "floor": {
                Path other = Files.createDirectories(Path.of("/dev/shm/w1f")).resolve("floor-" + dir.getFileName());
                Files.write(other, new byte[1]);
                FileChannel channel = FileChannel.open(other, StandardOpenOption.WRITE);
                return () -> bare(t, c, shortName(t), none, none, temp -> {
                    Files.readAttributes(other, MODE, LinkOption.NOFOLLOW_LINKS);
                    channel.write(ByteBuffer.wrap(new byte[1]), 0);
                });
            }
            case "spin": return () -> bare(t, c, shortName(t), none, none, temp -> spin(4_500_000));
            case "stat-spin": return () -> bare(t, c, shortName(t), none, stat, temp -> spin(4_500_000));
            case "all": {
                Path lockPath = dir.resolve(".all.lock");
                FileChannel lock = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                return () -> {
                    java.nio.channels.FileLock held = lock.lock(12345, 1, false);
                    Files.readAttributes(lockPath, java.nio.file.attribute.BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    Files.readAttributes(t, MODE, LinkOption.NOFOLLOW_LINKS);
                    bare(t, c, libraryName(t), none, stat, none);
                    held.release();
                };
            }
            default: throw new IllegalArgumentException(variant);
        }
    }

    static String shortName(Path target) {
        return "." + target.getFileName() + ".bare-" + RANDOM.nextInt(1 << 30);
    }

    /** As long as the library's temp names: {@code .NAME.tmp-<12 random>-<writer>}. */
    static String libraryName(Path target) {
        return "." + target.getFileName() + ".tmp-"
                + Long.toString(Math.abs(RANDOM.nextLong()) | (1L << 62), 36).substring(0, 12) + "-8nb-1o2qi-qyzez7";
    }

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** The bare protocol with a hook after the create, after the write, and after the fsync. */
    static void bare(Path target, byte[] content, String tempName, Hook created, Hook written, Hook forced)
            throws Exception {
        Path temp = target.resolveSibling(tempName);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            created.at(temp);
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            written.at(temp);
            channel.force(true);
            forced.at(temp);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel folder = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            folder.force(true);
        }
    }
}
