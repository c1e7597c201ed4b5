import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.*;
import java.util.*;

/** Two jars' lean 1 KiB write (and the bare protocol) in ABBA order per write: thread CPU, wall, allocation per write.
 *  args: dir jarA jarB rounds pairsPerRound [warmup] */
public class Abba {
    interface W { void run() throws Exception; }
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int rounds = Integer.parseInt(a[3]), pairs = Integer.parseInt(a[4]);
        int warm = a.length > 5 ? Integer.parseInt(a[5]) : 3000;
        byte[] content = new byte[1024];
        new Random(42).nextBytes(content);
        W[] w = {lib(a[1], dir.resolve("a"), content), lib(a[2], dir.resolve("b"), content), bare(dir.resolve("bare"), content)};
        for (int i = 0; i < warm; i++) for (W x : w) x.run();
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        double[][] cpu = new double[3][rounds], wall = new double[3][rounds], alloc = new double[3][rounds];
        double[] ratioCpu = new double[rounds], ratioWall = new double[rounds];
        int[][] orders = {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {2, 0, 1}};
        for (int r = 0; r < rounds; r++) {
            long[] c = new long[3], wl = new long[3], al = new long[3];
            for (int p = 0; p < pairs; p++) {
                for (int v : orders[p % 4]) {
                    long a0 = t.getThreadAllocatedBytes(tid);
                    long c0 = t.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    w[v].run();
                    wl[v] += System.nanoTime() - t0;
                    c[v] += t.getCurrentThreadCpuTime() - c0;
                    al[v] += t.getThreadAllocatedBytes(tid) - a0;
                }
            }
            for (int v = 0; v < 3; v++) {
                cpu[v][r] = c[v] / 1000.0 / pairs; wall[v][r] = wl[v] / 1000.0 / pairs; alloc[v][r] = al[v] / (double) pairs;
            }
            ratioCpu[r] = (double) c[1] / c[0];
            ratioWall[r] = (double) wl[1] / wl[0];
            System.out.printf(Locale.ROOT, "round %d: wall us A %.1f B %.1f bare %.1f | cpu us A %.1f B %.1f bare %.1f | B/A wall %.3f cpu %.3f | A/bare %.3f B/bare %.3f%n",
                r, wall[0][r], wall[1][r], wall[2][r], cpu[0][r], cpu[1][r], cpu[2][r], ratioWall[r], ratioCpu[r], wall[0][r] / wall[2][r], wall[1][r] / wall[2][r]);
        }
        System.out.printf(Locale.ROOT, "MEDIAN wall us A %.1f B %.1f bare %.1f | cpu us A %.1f B %.1f bare %.1f | alloc B A %.0f B %.0f bare %.0f | B/A wall %.3f cpu %.3f | A/bare %.3f B/bare %.3f%n",
            med(wall[0]), med(wall[1]), med(wall[2]), med(cpu[0]), med(cpu[1]), med(cpu[2]), med(alloc[0]), med(alloc[1]), med(alloc[2]),
            med(ratioWall), med(ratioCpu), med(div(wall[0], wall[2])), med(div(wall[1], wall[2])));
    }
    static double[] div(double[] x, double[] y) { double[] r = new double[x.length]; for (int i = 0; i < x.length; i++) r[i] = x[i] / y[i]; return r; }
    static double med(double[] v) { double[] s = v.clone(); Arrays.sort(s); int n = s.length; return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; }
    static W lib(String jar, Path folder, byte[] content) throws Exception {
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> af = loader.loadClass("io.atomicfiles.AtomicFiles");
        Class<?> wo = loader.loadClass("io.atomicfiles.WriteOptions");
        Object b = wo.getMethod("builder").invoke(null);
        Class<?> bc = b.getClass();
        bc.getMethod("backup", boolean.class).invoke(b, false);
        bc.getMethod("verifyIntegrity", boolean.class).invoke(b, false);
        bc.getMethod("showProgress", boolean.class).invoke(b, false);
        Object o = bc.getMethod("build").invoke(b);
        Method m = af.getMethod("writeBytes", Path.class, byte[].class, wo);
        Path target = Files.createDirectories(folder).resolve("lib.bin");
        Files.write(target, content);
        return () -> m.invoke(null, target, content, o);
    }
    static W bare(Path folder, byte[] content) throws Exception {
        Path target = Files.createDirectories(folder).resolve("bare.bin");
        Files.write(target, content);
        Class<?> bp = Class.forName("io.atomicfiles.bench.BareProtocol");
        Method m = bp.getMethod("write", Path.class, byte[].class);
        return () -> m.invoke(null, target, content);
    }
}
