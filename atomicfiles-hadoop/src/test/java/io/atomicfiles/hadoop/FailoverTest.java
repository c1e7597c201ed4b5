package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HookedFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster fails under a client: the NameNode restarts, or DataNodes die, in the middle of a
 * write and of a transaction. With DataNodes dying, the work carries on (HDFS's pipeline
 * recovery) and what is published is whole. Across a NameNode restart, a write or transaction
 * whose calls were in flight fails or commits, but old-or-new and all-or-nothing, and leaves
 * nothing once recovered.
 */
class FailoverTest {
    private static final int MIB = 1024 * 1024;
    private static Clusters clusters;
    private static FileSystem fs;
    private static HookedFileSystem hooked;
    private static ClusterFiles files;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.start("failover", 4);
        fs = clusters.fileSystem();
        hooked = new HookedFileSystem(fs);
        files = ClusterFiles.open(hooked, ClusterOptions.builder().zooKeeper(clusters.zooKeeperConnect()).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (files != null) {
            files.close();
        }
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void aWriteSurvivesDataNodesDyingUnderIt() throws Exception {
        Path target = new Path("/failover/dn-write.bin");
        files.writeText(target, "old");
        byte[] content = pattern(6 * MIB);
        MiniDFSCluster dfs = clusters.dfs();
        files.write(target, WriteOptions.defaults(), out -> {
            out.write(content, 0, 3 * MIB);
            out.flush();
            // Two of four DataNodes go: at least one of the pipeline's three.
            MiniDFSCluster.DataNodeProperties first = dfs.stopDataNode(0);
            MiniDFSCluster.DataNodeProperties second = dfs.stopDataNode(0);
            out.write(content, 3 * MIB, content.length - 3 * MIB);
            restartLater(first, second);
        });
        assertThat(Arrays.equals(read(target), content)).isTrue();
        assertThat(HdfsFiles.text(fs, new Path("/failover/dn-write.bin.backup"))).isEqualTo("old");
        awaitDataNodes();
    }

    @Test
    void aWriteSurvivesANameNodeRestart() throws Exception {
        Path target = new Path("/failover/nn-write.bin");
        files.writeText(target, "old");
        byte[] content = pattern(2 * MIB);
        IOException failure = null;
        try {
            files.write(target, WriteOptions.defaults(), out -> {
                out.write(content, 0, MIB);
                out.flush();
                clusters.dfs().restartNameNode(true);
                out.write(content, MIB, content.length - MIB);
            });
        } catch (IOException e) {
            // A call in flight when the NameNode went down is not retried by the HDFS client
            // (and the MiniDFSCluster's NameNode, run with assertions on, sometimes asserts on a
            // call that straddles its restart): the write then fails, cleanly.
            failure = e;
        }
        System.out.println("write across a NameNode restart: " + (failure == null ? "committed" : "failed: " + failure));
        if (failure == null) {
            assertThat(Arrays.equals(read(target), content)).isTrue();
            assertThat(HdfsFiles.text(fs, new Path("/failover/nn-write.bin.backup"))).isEqualTo("old");
        } else {
            assertThat(HdfsFiles.text(fs, target)).isEqualTo("old");
        }
        assertThat(HdfsFiles.hiddenNames(fs, new Path("/failover"))).isEmpty();
    }

    @Test
    void aTransactionSurvivesANameNodeRestartWhileStaging() throws Exception {
        transactionSurvives("nn-tx", () -> clusters.dfs().restartNameNode(true));
    }

    @Test
    void aTransactionSurvivesDataNodesDyingWhileStaging() throws Exception {
        transactionSurvives("dn-tx", () -> {
            MiniDFSCluster.DataNodeProperties first = clusters.dfs().stopDataNode(0);
            MiniDFSCluster.DataNodeProperties second = clusters.dfs().stopDataNode(0);
            restartLater(first, second);
        });
        awaitDataNodes();
    }

    interface Failure {
        void happen() throws Exception;
    }

    /** A transaction of five files; the failure happens when the third staged file is created. */
    private void transactionSurvives(String name, Failure clusterFailure) throws Exception {
        Path dir = new Path("/failover/" + name);
        for (int i = 0; i < 5; i++) {
            files.writeText(new Path(dir, "f" + i), "old");
        }
        AtomicInteger stages = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        hooked.hook((call, path) -> {
            if (call.equals("create") && path.getName().endsWith(".stage") && stages.incrementAndGet() == 3) {
                try {
                    clusterFailure.happen();
                } catch (Exception e) {
                    throw new IOException("the test could not fail the cluster", e);
                } finally {
                    failed.countDown();
                }
            }
        });
        IOException failure = null;
        try (ClusterTransaction tx = files.transaction()) {
            for (int i = 0; i < 5; i++) {
                tx.addWrite(new Path(dir, "f" + i), pattern(MIB + i), ContentType.BYTES);
            }
            tx.commit();
        } catch (IOException e) {
            failure = e;
        } finally {
            hooked.hook(null);
        }
        assertThat(failed.await(0, TimeUnit.SECONDS)).isTrue();
        var report = files.recover();
        assertThat(report.hasConflicts()).as(report.toString()).isFalse();
        boolean committed = Arrays.equals(read(new Path(dir, "f0")), pattern(MIB));
        assertThat(committed || failure != null).isTrue();
        System.out.println(name + ": " + (committed ? "committed" : "failed cleanly: " + failure));
        for (int i = 0; i < 5; i++) {
            if (committed) {
                assertThat(Arrays.equals(read(new Path(dir, "f" + i)), pattern(MIB + i))).isTrue();
                assertThat(HdfsFiles.text(fs, new Path(dir, "f" + i + ".backup"))).isEqualTo("old");
            } else {
                assertThat(HdfsFiles.text(fs, new Path(dir, "f" + i))).isEqualTo("old");
            }
        }
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
    }

    private static void restartLater(MiniDFSCluster.DataNodeProperties... dataNodes) {
        CompletableFuture.runAsync(() -> {
            for (MiniDFSCluster.DataNodeProperties dn : dataNodes) {
                try {
                    clusters.dfs().restartDataNode(dn, true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
    }

    private static void awaitDataNodes() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (clusters.dfs().getDataNodes().size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        clusters.dfs().waitActive();
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + size);
        }
        return bytes;
    }

    private static byte[] read(Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }
}
