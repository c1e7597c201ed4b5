import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.bench.BareProtocol;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.*;

/** bare, lib, and bare variants in turns into one folder. Variant k is preceded by k+1 access() markers. */
public class Drive2 {
    static final Random R = new Random();
    interface W { void run() throws Exception; }
    public static void main(String[] a) throws Exception {
        Path dir = Files.createDirectories(Path.of(a[0]));
        int warm = Integer.parseInt(a[1]), n = Integer.parseInt(a[2]);
        String which = a.length > 3 ? a[3] : "bare,lib,barelong";
        WriteOptions lean = WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).durability(Durability.FULL).build();
        byte[] c = new byte[1024]; new Random(42).nextBytes(c);
        List<W> ws = new ArrayList<>(); List<W> warmW = new ArrayList<>();
        Path wd = Files.createDirectories(Path.of(System.getProperty("warmDir", a[0])));
        for (String v : which.split(",")) { ws.add(make(v, dir, c, lean)); warmW.add(make(v, wd, c, lean)); }
        for (int i = 0; i < warm; i++) for (W w : warmW) w.run();
        for (int i = 0; i < 300; i++) for (W w : ws) w.run();
        System.out.println("TID " + Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName());
        System.out.flush();
        Path go = Path.of("/tmp/w1c/go");
        while (!Files.exists(go)) Thread.sleep(50);
        Files.exists(Path.of("/MARK-START"));
        int nv = ws.size();
        for (int i = 0; i < n; i++) for (int k = 0; k < nv; k++) {
            int v = (i + k) % nv;
            for (int m = 0; m <= v; m++) Files.exists(Path.of("/MARK"));
            System.nanoTime();
            ws.get(v).run();
            Thread.currentThread().getId();
            java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
        Files.exists(Path.of("/MARK-END"));
    }
    static W make(String v, Path dir, byte[] c, WriteOptions lean) throws Exception {
        Path t = dir.resolve(v + ".bin"); Files.write(t, c);
        switch (v) {
            case "bare": return () -> BareProtocol.write(t, c);
            case "lib": return () -> AtomicFiles.writeBytes(t, c, lean);
            case "barelong": return () -> bare(t, c, "." + t.getFileName() + ".tmp-" + Long.toString(Math.abs(R.nextLong()) | (1L << 62), 36).substring(0, 12) + "-8nb-1o2qi-qyzez7", false);
            case "barerw": return () -> bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), true);
            case "bareplus": {
                FileChannel lock = FileChannel.open(dir.resolve(".bareplus.lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return () -> {
                    java.nio.channels.FileLock l = lock.tryLock(12345, 1, false);
                    Files.readAttributes(dir.resolve(".bareplus.lock"), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    Files.readAttributes(t, "unix:mode,uid,gid,nlink", LinkOption.NOFOLLOW_LINKS);
                    bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, true, 0);
                    l.release();
                };
            }
            case "bp-lock": {
                FileChannel lock = FileChannel.open(dir.resolve(".bp.lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return () -> {
                    java.nio.channels.FileLock l = lock.tryLock(12345, 1, false);
                    bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, false, 0);
                    l.release();
                };
            }
            case "bp-statlock": {
                Files.write(dir.resolve(".bp2.lock"), new byte[0]);
                return () -> {
                    Files.readAttributes(dir.resolve(".bp2.lock"), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, false, 0);
                };
            }
            case "bp-stattarget": return () -> {
                    Files.readAttributes(t, "unix:mode,uid,gid,nlink", LinkOption.NOFOLLOW_LINKS);
                    bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, false, 0);
                };
            case "bp-stattemp": return () -> bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, true, 0);
            case "bareslow": return () -> bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, false, 60_000);
            case "barespin": return () -> bare(t, c, "." + t.getFileName() + ".bare-" + R.nextInt(1 << 30), false, false, -60_000);
            default: throw new IllegalArgumentException(v);
        }
    }
    static void bare(Path target, byte[] content, String tempName, boolean rw) throws Exception {
        bare(target, content, tempName, rw, false, 0);
    }
    static void spin(long nanos) { long end = System.nanoTime() + nanos; while (System.nanoTime() < end) { } }
    static void bare(Path target, byte[] content, String tempName, boolean rw, boolean statTemp, long spinNanos) throws Exception {
        if (spinNanos > 0) spin(spinNanos);
        Path temp = target.resolveSibling(tempName);
        try (FileChannel ch = rw ? FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (statTemp) Files.readAttributes(temp, "unix:mode,uid,gid,nlink", LinkOption.NOFOLLOW_LINKS);
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) ch.write(b);
            if (spinNanos < 0) spin(-spinNanos);
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel f = FileChannel.open(target.getParent(), StandardOpenOption.READ)) { f.force(true); }
    }
}
