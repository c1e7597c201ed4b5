import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;

/** Hot loop of lean 1 KiB rewrites: thread CPU and bytes allocated per write. args: dir n rounds */
public class Hot {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createDirectories(Path.of(a[0]));
        int n = Integer.parseInt(a[1]);
        int rounds = Integer.parseInt(a[2]);
        byte[] content = new byte[1024];
        new Random(42).nextBytes(content);
        WriteOptions o = WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).build();
        Path target = dir.resolve("lib.bin");
        Files.write(target, content);
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < 20000; i++) AtomicFiles.writeBytes(target, content, o);
        double[] cpu = new double[rounds];
        double[] alloc = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = t.getCurrentThreadCpuTime();
            long a0 = t.getThreadAllocatedBytes(tid);
            for (int i = 0; i < n; i++) AtomicFiles.writeBytes(target, content, o);
            cpu[r] = (t.getCurrentThreadCpuTime() - c0) / 1000.0 / n;
            alloc[r] = (t.getThreadAllocatedBytes(tid) - a0) / (double) n;
        }
        Arrays.sort(cpu); Arrays.sort(alloc);
        System.out.printf(Locale.ROOT, "cpu us/write median %.1f min %.1f | alloc B/write median %.0f%n",
            cpu[rounds / 2], cpu[0], alloc[rounds / 2]);
    }
}
