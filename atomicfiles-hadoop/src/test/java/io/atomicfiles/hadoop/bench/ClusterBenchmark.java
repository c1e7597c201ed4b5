package io.atomicfiles.hadoop.bench;

import io.atomicfiles.ContentType;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.ClusterFiles;
import io.atomicfiles.hadoop.ClusterOptions;
import io.atomicfiles.hadoop.ClusterTransaction;
import io.atomicfiles.hadoop.testing.Clusters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The cluster benchmark, on one MiniDFSCluster (3 DataNodes) and a 3-server ZooKeeper quorum, in
 * one run: {@code ClusterBenchmark [--pairs N] [--tx-pairs M]}; run with
 * {@code atomicfiles-hadoop/bench.sh}.
 *
 * <p>Every comparison is measured in turns: one A, one B, one A, ... (the order within a pair
 * alternates), each timed alone, so that a change of the machine's load hits both sides alike.
 * The ratio is computed per pair; the median ratio and the mean with its 95% error are printed.
 * <ul>
 *   <li>1 KiB atomic write (backup and verification off, no ZooKeeper) vs the bare HDFS protocol
 *       written inline: create(overwrite=false), write, hsync, close, rename(OVERWRITE);</li>
 *   <li>the same with the defaults (backup copy and read-back on), and with ZooKeeper locks;</li>
 *   <li>a transaction of 100 × 1 KiB vs 100 sequential atomic writes (backup off, both verified).</li>
 * </ul>
 */
public final class ClusterBenchmark {
    private static final byte[] KIB = new byte[1024];

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = 300;
        int txPairs = 12;
        int rpcWrites = 50;
        boolean writesOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--tx-pairs" -> txPairs = Integer.parseInt(args[++i]);
                case "--rpc-writes" -> rpcWrites = Integer.parseInt(args[++i]);
                case "--writes-only" -> writesOnly = true;
                default -> throw new IllegalArgumentException(
                        "usage: ClusterBenchmark [--pairs N] [--tx-pairs M] [--rpc-writes K] [--writes-only]");
            }
        }
        Arrays.fill(KIB, (byte) 'x');
        System.out.printf(Locale.ROOT, "cores %d, load average at start %.2f%n",
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (Clusters clusters = Clusters.start("bench", 3)) {
            FileSystem fs = clusters.fileSystem();
            ClusterFiles plain = ClusterFiles.open(fs, ClusterOptions.builder().backup(false).build());
            ClusterFiles locked = ClusterFiles.open(fs, ClusterOptions.builder().backup(false)
                    .zooKeeper(clusters.zooKeeperConnect()).build());
            Path bareTarget = new Path("/bench/bare.bin");
            Path target = new Path("/bench/atomic.bin");
            fs.mkdirs(new Path("/bench"));
            WriteOptions lean = WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).build();
            WriteOptions defaults = WriteOptions.builder().showProgress(false).build();
            Op bare = () -> bareProtocol(fs, bareTarget);
            compare("1 KiB: atomic write (backup, verify off) / bare protocol", pairs, () -> plain.writeBytes(target,
                    KIB, lean), bare, 1.2);
            if (rpcWrites > 0) {
                // After the first comparison: the JIT has compiled both sides, whose CPU time is counted.
                NameNodeCalls.print("1 KiB atomic write (backup, verify off)", rpcWrites,
                        () -> plain.writeBytes(target, KIB, lean));
                NameNodeCalls.print("bare protocol", rpcWrites, bare);
                NameNodeCalls.print("1 KiB atomic write, defaults (backup copy, read-back)", rpcWrites,
                        () -> plain.writeBytes(target, KIB, defaults));
            }
            if (writesOnly) {
                plain.close();
                locked.close();
                System.exit(0);
            }
            compare("1 KiB: atomic write (defaults: backup copy, read-back) / bare protocol", pairs / 2,
                    () -> plain.writeBytes(target, KIB, defaults), bare, Double.NaN);
            compare("1 KiB: atomic write with ZooKeeper lock (backup, verify off) / bare protocol", pairs / 2,
                    () -> locked.writeBytes(target, KIB, lean), bare, Double.NaN);
            WriteOptions verified = WriteOptions.builder().backup(false).showProgress(false).build();
            int[] round = {0};
            compare("100 x 1 KiB: one transaction / 100 sequential atomic writes", txPairs, () -> {
                round[0]++;
                try (ClusterTransaction tx = plain.transaction()) {
                    for (int i = 0; i < 100; i++) {
                        tx.addWrite(new Path("/bench/tx/f" + i), KIB, ContentType.BYTES);
                    }
                    tx.commit();
                }
            }, () -> {
                for (int i = 0; i < 100; i++) {
                    plain.writeBytes(new Path("/bench/seq/f" + i), KIB, verified);
                }
            }, 0.5);
            plain.close();
            locked.close();
        }
        System.exit(0);
    }

    /** The bare protocol, written inline: what the library's write is compared with. */
    private static void bareProtocol(FileSystem fs, Path target) throws IOException {
        Path temp = new Path(target.getParent(), "." + target.getName() + ".bare-tmp");
        FSDataOutputStream out = fs.create(temp, false);
        out.write(KIB);
        out.hsync();
        out.close();
        FileUtil.rename(fs, temp, target, Options.Rename.OVERWRITE);
    }

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    /** Runs a and b in turns; prints the median and mean ratio a/b with the mean's 95% error. */
    private static void compare(String name, int pairs, Op a, Op b, double target) throws Exception {
        if (pairs <= 0) {
            return;
        }
        int warmUp = Math.max(2, pairs / 5);
        List<Double> ratios = new ArrayList<>();
        List<Double> as = new ArrayList<>();
        List<Double> bs = new ArrayList<>();
        for (int i = -warmUp; i < pairs; i++) {
            double ta;
            double tb;
            if (i % 2 == 0) {
                ta = time(a);
                tb = time(b);
            } else {
                tb = time(b);
                ta = time(a);
            }
            if (i >= 0) {
                ratios.add(ta / tb);
                as.add(ta);
                bs.add(tb);
            }
        }
        double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double sd = Math.sqrt(ratios.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum() / (ratios.size() - 1));
        double error = 1.96 * sd / Math.sqrt(ratios.size());
        double median = median(ratios);
        String verdict = Double.isNaN(target) ? "" : median <= target ? "  target <= " + target + ": met"
                : "  target <= " + target + ": MISSED";
        System.out.printf(Locale.ROOT, "%s%n  %d pairs: A median %.2f ms, B median %.2f ms; ratio median %.3f x,"
                + " mean %.3f x +- %.3f%s%n", name, pairs, median(as), median(bs), median, mean, error, verdict);
    }

    private static double time(Op op) throws Exception {
        long start = System.nanoTime();
        op.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
