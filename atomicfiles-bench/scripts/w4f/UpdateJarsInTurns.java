import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One thread's {@code atomicJsonUpdate} (defaults, progress off) made by two builds of the
 * library in turns, each loaded by its own class loader and updating its own file: the median
 * thread CPU and wall time per update of each (BENCHMARKS.md, "W4 after the combined updates'
 * fixes"). Scratch tool, not built by Maven:
 *
 * <pre>
 * javac -d /tmp/w4f UpdateJarsInTurns.java
 * flock /tmp/bench.lock java -cp /tmp/w4f UpdateJarsInTurns /mnt/jext4/w4f before.jar after.jar 15 100
 * </pre>
 */
public class UpdateJarsInTurns {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        String[] jars = {args[1], args[2]};
        int rounds = Integer.parseInt(args[3]);
        int updates = Integer.parseInt(args[4]);
        Object[] ops = new Object[2];
        Method[] update = new Method[2];
        Path[] files = new Path[2];
        for (int j = 0; j < 2; j++) {
            ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jars[j]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> auditTrail = loader.loadClass("io.atomicfiles.AuditTrail");
            Class<?> writeOptions = loader.loadClass("io.atomicfiles.WriteOptions");
            Object builder = writeOptions.getMethod("toBuilder").invoke(writeOptions.getMethod("defaults").invoke(null));
            builder.getClass().getMethod("showProgress", boolean.class).invoke(builder, false);
            Object options = builder.getClass().getMethod("build").invoke(builder);
            Class<?> operations = loader.loadClass("io.atomicfiles.AtomicFileOperations");
            ops[j] = operations.getConstructor(auditTrail, writeOptions)
                    .newInstance(auditTrail.getMethod("inMemory").invoke(null), options);
            update[j] = operations.getMethod("atomicJsonUpdate", Path.class, UnaryOperator.class);
            files[j] = dir.resolve("counter-" + j + ".json");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        UnaryOperator<Map<String, Object>> increment = data -> {
            data.merge("counter", 1, (a, b) -> ((Number) a).intValue() + 1);
            return data;
        };
        for (int i = 0; i < 400; i++) {
            for (int j = 0; j < 2; j++) {
                update[j].invoke(ops[j], files[j], increment);
            }
        }
        double[][] cpu = new double[2][rounds];
        double[][] wall = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int j = (r + k) % 2;
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < updates; i++) {
                    update[j].invoke(ops[j], files[j], increment);
                }
                cpu[j][r] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / updates;
                wall[j][r] = (System.nanoTime() - wall0) / 1e3 / updates;
            }
        }
        for (int j = 0; j < 2; j++) {
            Arrays.sort(cpu[j]);
            Arrays.sort(wall[j]);
            System.out.printf("%s: thread CPU median %.1f µs, wall median %.1f µs per update%n", jars[j],
                    cpu[j][rounds / 2], wall[j][rounds / 2]);
        }
    }
}
