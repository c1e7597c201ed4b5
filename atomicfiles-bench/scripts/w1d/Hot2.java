import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;
/** Warm on a tmpfs folder, then a marker file, then n lean writes into dir (for attaching a profiler). args: warmDir dir n */
public class Hot2 {
    public static void main(String[] a) throws Exception {
        byte[] content = new byte[1024];
        new Random(42).nextBytes(content);
        WriteOptions o = WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).build();
        Path warm = Files.createDirectories(Path.of(a[0])).resolve("lib.bin");
        Path target = Files.createDirectories(Path.of(a[1])).resolve("lib.bin");
        Files.write(target, content);
        for (int i = 0; i < 20000; i++) AtomicFiles.writeBytes(warm, content, o);
        Files.writeString(Path.of("/tmp/w1d/ready"), "x");
        Thread.sleep(1500);
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = Integer.parseInt(a[2]);
        long c0 = t.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        for (int i = 0; i < n; i++) AtomicFiles.writeBytes(target, content, o);
        System.out.printf(Locale.ROOT, "cpu us/write %.1f wall %.1f%n", (t.getCurrentThreadCpuTime() - c0) / 1000.0 / n, (System.nanoTime() - t0) / 1000.0 / n);
    }
}
