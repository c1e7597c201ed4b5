package io.atomicfiles.hadoop.testing;

import io.atomicfiles.ContentType;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.ClusterFiles;
import io.atomicfiles.hadoop.ClusterOptions;
import io.atomicfiles.hadoop.ClusterTransaction;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A client host in a JVM of its own: {@code HostMain MODE HDFS_URI ZK_CONNECT ARGS...}.
 *
 * <ul>
 *   <li>{@code tx-loop DIR JOURNAL_DIR}: after "go", from the value in {@code DIR/f0}, transactions forever; transaction v writes {@code f0..f4}
 *       with "v" and writes (v even) or deletes (v odd, from 3) {@code m}; prints "begin v" and
 *       "committed v".</li>
 *   <li>{@code warm-up DIR}: a little of everything, then exit (for {@link Child#prepareArchive}).</li>
 *   <li>{@code increment FILE N}: N read-modify-write increments of {@code n} in FILE; "done".</li>
 *   <li>{@code create-new PREFIX TOKEN ROUNDS}: per "go", one createNew write of PREFIX-round;
 *       "won round" or "lost round".</li>
 * </ul>
 * Each prints its ZooKeeper session ({@link Sessions#describe}) and "ready", then waits for "go".
 * createNew needs no lock to be atomic: the children of that mode use no ZooKeeper (ZK_CONNECT "-").
 */
public final class HostMain {
    public static final int FILES = 5;

    private HostMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Configuration conf = new Configuration();
        conf.setBoolean("dfs.client.block.write.replace-datanode-on-failure.best-effort", true);
        FileSystem fs = FileSystem.newInstance(URI.create(args[1]), conf);
        CuratorFramework curator = null;
        ClusterOptions options = ClusterOptions.builder().lockTimeout(Duration.ofSeconds(120)).build();
        if (!args[2].equals("-")) {
            curator = CuratorFrameworkFactory.newClient(args[2], 20_000, 10_000, new ExponentialBackoffRetry(100, 5));
            curator.start();
            curator.blockUntilConnected();
            options = options.toBuilder().curator(curator).build();
        }
        try (ClusterFiles files = ClusterFiles.open(fs, options)) {
            Child.Side.say(curator == null ? "session none" : Sessions.describe(curator));
            switch (mode) {
                case "tx-loop" -> txLoop(fs, new Path(args[3]), options.toBuilder().journalDir(new Path(args[4])).build());
                case "warm-up" -> warmUp(fs, new Path(args[3]), options);
                case "increment" -> increment(files, new Path(args[3]), Integer.parseInt(args[4]));
                case "create-new" -> createNew(files, new Path(args[3]), args[4], Integer.parseInt(args[5]));
                default -> throw new IllegalArgumentException(mode);
            }
        }
        if (curator != null) {
            curator.close();
        }
        System.exit(0);
    }

    /**
     * Transactions and writes on files and a journal folder of our own, so that a kill lands in
     * the library's work, not in class loading.
     */
    private static void warmUp(FileSystem fs, Path dir, ClusterOptions options) throws Exception {
        Path warm = new Path(dir.getParent(), "warm-" + ProcessHandle.current().pid());
        ClusterFiles files = ClusterFiles.open(fs, options.toBuilder().journalDir(new Path(warm, "journal")).build());
        fs.mkdirs(warm);
        for (int round = 0; round < 2; round++) {
            try (ClusterTransaction tx = files.transaction()) {
                tx.addWrite(new Path(warm, "a"), "a" + round, ContentType.TEXT);
                tx.addWrite(new Path(warm, "b"), "b" + round, ContentType.TEXT);
                if (round == 1) {
                    tx.addDelete(new Path(warm, "c"));
                } else {
                    tx.addWrite(new Path(warm, "c"), "c", ContentType.TEXT);
                }
                tx.commit();
            }
            files.atomicJsonUpdate(new Path(warm, "n.json"), m -> m);
            files.writeText(new Path(warm, "d"), "d", WriteOptions.builder().createNew(round == 0).build());
        }
        files.recover();
        fs.delete(warm, true);
    }

    private static void txLoop(FileSystem fs, Path dir, ClusterOptions options) throws Exception {
        // No warm-up work on the cluster: the classes come from the class-data archive, and a kill
        // drawn over a transaction's length may land in a first transaction as well as in any
        // (every transaction must be all or nothing). Each of the kill test's 100 JVMs saved a
        // transaction, an update and a write of warm-up, which a loaded 2-core machine felt.
        ClusterFiles files = ClusterFiles.open(fs, options);
        Child.Side.say("ready");
        Child.Side.awaitGo();
        // Start from what is on the cluster now (the test recovered what the last host left).
        Path first = new Path(dir, "f0");
        long start = fs.exists(first) ? Long.parseLong(new String(fs.open(first).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)) : 0;
        for (long v = start + 1; ; v++) {
            Child.Side.say("begin " + v);
            try (ClusterTransaction tx = files.transaction()) {
                for (int i = 0; i < FILES; i++) {
                    tx.addWrite(new Path(dir, "f" + i), Long.toString(v), ContentType.TEXT);
                }
                if (v % 2 == 0) {
                    tx.addWrite(new Path(dir, "m"), Long.toString(v), ContentType.TEXT);
                } else if (v > 1) {
                    tx.addDelete(new Path(dir, "m"));
                }
                tx.commit();
            }
            Child.Side.say("committed " + v);
        }
    }

    private static void increment(ClusterFiles files, Path file, int times) throws Exception {
        Child.Side.say("ready");
        Child.Side.awaitGo();
        for (int i = 0; i < times; i++) {
            files.atomicJsonUpdate(file, m -> {
                m.merge("n", 1, (a, b) -> ((Number) a).intValue() + ((Number) b).intValue());
                return m;
            });
        }
        Child.Side.say("done");
    }

    private static void createNew(ClusterFiles files, Path prefix, String token, int rounds) throws Exception {
        files.writeText(new Path(prefix.getParent(), "warm-" + token), token);
        Child.Side.say("ready");
        for (int round = 0; round < rounds; round++) {
            Child.Side.awaitGo();
            try {
                files.writeText(new Path(prefix + "-" + round), token, WriteOptions.builder().createNew(true).build());
                Child.Side.say("won " + round);
            } catch (FileAlreadyExistsException e) {
                Child.Side.say("lost " + round);
            }
        }
    }
}
