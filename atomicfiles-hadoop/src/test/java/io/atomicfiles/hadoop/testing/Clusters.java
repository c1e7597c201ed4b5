package io.atomicfiles.hadoop.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * The real engines of a test class: an in-process HDFS (NameNode and DataNodes) and a real
 * three-server ZooKeeper quorum. One per test class (start them in {@code @BeforeAll}).
 */
public final class Clusters implements AutoCloseable {
    private final MiniDFSCluster dfs;
    private final TestingCluster zooKeeper;
    private final Path baseDir;

    private final boolean shared;
    private static Clusters sharedInstance;

    private Clusters(MiniDFSCluster dfs, TestingCluster zooKeeper, Path baseDir, boolean shared) {
        this.dfs = dfs;
        this.zooKeeper = zooKeeper;
        this.baseDir = baseDir;
        this.shared = shared;
    }

    /**
     * The engines shared by the test classes that leave the cluster as they found it (each works
     * in folders and a journal folder of its own): started by the first class that asks, in
     * this test JVM, and stopped when the JVM exits. Starting a MiniDFSCluster and a quorum costs
     * a minute on a loaded 2-core machine; once per module run, not once per class. Its
     * {@link #close()} does nothing. Classes that break the cluster (restart the NameNode, stop
     * DataNodes) start their own with {@link #start}.
     */
    public static synchronized Clusters shared() throws Exception {
        if (sharedInstance == null) {
            Clusters started = start("shared", 3);
            sharedInstance = new Clusters(started.dfs, started.zooKeeper, started.baseDir, true);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    sharedInstance.stop();
                } catch (Exception e) {
                    // The JVM exits: what is left in the cluster's folder goes with the next cleanup.
                }
            }, "shared-clusters-stop"));
        }
        return sharedInstance;
    }

    /** HDFS with {@code dataNodes} DataNodes (replication 3) and a 3-server ZooKeeper quorum. */
    public static Clusters start(String name, int dataNodes) throws Exception {
        Path baseDir = baseDirFor(name);
        deleteRecursively(baseDir);
        Files.createDirectories(baseDir);
        Configuration conf = configuration(baseDir);
        // The web servers' signature secret: here, not in the user's home, where Hadoop looks by default.
        Path secret = Files.writeString(baseDir.resolve("http-secret"), Long.toString(System.nanoTime()));
        conf.set("hadoop.http.authentication.signature.secret.file", secret.toString());
        MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf, baseDir.resolve("hdfs").toFile())
                .numDataNodes(dataNodes).build();
        dfs.waitActive();
        TestingCluster zooKeeper = null;
        try {
            List<InstanceSpec> specs = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                File dir = Files.createDirectories(baseDir.resolve("zk-" + i)).toFile();
                // tickTime 500 ms: sessions may be as short as 1 s (2 ticks), which the expiry tests use.
                specs.add(new InstanceSpec(dir, -1, -1, -1, true, i, 500, -1));
            }
            zooKeeper = new TestingCluster(specs);
            zooKeeper.start();
        } catch (Exception e) {
            dfs.shutdown();
            throw e;
        }
        return new Clusters(dfs, zooKeeper, baseDir, false);
    }

    /**
     * Where the clusters keep their data: in memory (/dev/shm) where the machine has it, so that
     * the NameNode's edit log, the DataNodes' hsync and ZooKeeper's transaction log cost no disk
     * flush (these tests check what clients see, crashes of clients, and the protocol's steps, not
     * what a disk keeps across a power loss); else under target/.
     */
    static Path baseDir(String name) {
        String leaf = "atomicfiles-hadoop-" + name + "-" + ProcessHandle.current().pid();
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve(leaf);
        }
        return Path.of("target", "clusters", leaf).toAbsolutePath();
    }

    private static Path baseDirFor(String name) {
        return baseDir(name);
    }

    /** The settings that make a MiniDFSCluster fast and stable on a small shared machine. */
    public static Configuration configuration(Path baseDir) {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.resolve("hdfs").toString());
        conf.setLong("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
        conf.setInt("dfs.heartbeat.interval", 1);
        conf.setInt("dfs.namenode.heartbeat.recheck-interval", 3000);
        conf.setInt("dfs.namenode.handler.count", 8);
        conf.setInt("dfs.datanode.handler.count", 4);
        conf.setInt("dfs.namenode.service.handler.count", 4);
        // With 3 DataNodes and replication 3, a lost DataNode cannot be replaced in a pipeline:
        // go on with the ones left rather than fail the write.
        conf.setBoolean("dfs.client.block.write.replace-datanode-on-failure.best-effort", true);
        // A restarted NameNode is back within seconds: clients retry their calls meanwhile.
        conf.setInt("ipc.client.connect.max.retries", 100);
        conf.setInt("ipc.client.connect.retry.interval", 200);
        conf.setInt("dfs.namenode.safemode.extension", 0);
        conf.setBoolean("dfs.permissions.enabled", true);
        return conf;
    }

    public MiniDFSCluster dfs() {
        return dfs;
    }

    public DistributedFileSystem fileSystem() throws IOException {
        return dfs.getFileSystem();
    }

    /** The NameNode's URI, for other JVMs. */
    public String hdfsUri() {
        return dfs.getURI().toString();
    }

    /** A Configuration for a client of this cluster in another JVM (no MiniDFSCluster settings). */
    public Configuration clientConfiguration() {
        Configuration conf = new Configuration(dfs.getConfiguration(0));
        return conf;
    }

    public TestingCluster zooKeeper() {
        return zooKeeper;
    }

    public String zooKeeperConnect() {
        return zooKeeper.getConnectString();
    }

    public Path baseDir() {
        return baseDir;
    }

    /** A new FileSystem client of its own (its own DFSClient, lease holder name and cache). */
    public FileSystem newClient() throws IOException {
        return FileSystem.newInstance(dfs.getURI(), dfs.getConfiguration(0));
    }

    /** Atomic files on {@code fs} (this cluster's HDFS, or a wrapper of it), locked through this cluster's ZooKeeper. */
    public io.atomicfiles.hadoop.ClusterFiles filesOn(FileSystem fs) throws IOException {
        return io.atomicfiles.hadoop.ClusterFiles.open(fs,
                io.atomicfiles.hadoop.ClusterOptions.builder().zooKeeper(zooKeeperConnect()).build());
    }

    /**
     * Makes the class-data archive that host JVMs ({@link HostMain} children) start with, from a
     * warm-up run against this cluster: each host then starts in a fraction of the time.
     */
    public void prepareHostArchive() throws IOException {
        Child.prepareArchive(HostMain.class, "warm-up", hdfsUri(), zooKeeperConnect(), "/warm-up/data");
    }

    /**
     * Closes each resource that is not null, in the order given (a test class's files before its
     * clusters); all are tried, and the first failure is thrown with the others suppressed.
     */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Stops the engines and deletes their folder (nothing for the {@link #shared()} ones: the JVM's exit does). */
    @Override
    public void close() throws Exception {
        if (!shared) {
            stop();
        }
    }

    private void stop() throws Exception {
        try {
            zooKeeper.close();
        } finally {
            try {
                dfs.shutdown(true);
            } finally {
                deleteRecursively(baseDir);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
