package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HookedFileSystem;
import io.atomicfiles.hadoop.testing.Sessions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client whose ZooKeeper session expires in the middle of its work (another host may then
 * hold its locks): before the commit point it commits nothing; after it, recovery finishes.
 */
class SessionLossTest {
    private static Clusters clusters;
    private static FileSystem fs;
    private static ClusterFiles healthy;
    private CuratorFramework curator;
    private HookedFileSystem hooked;
    private ClusterFiles files;
    private final Path dir = new Path("/session");

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        healthy = clusters.filesOn(fs);
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(healthy, clusters);
    }

    @BeforeEach
    void client() throws Exception {
        fs.delete(dir, true);
        curator = CuratorFrameworkFactory.newClient(clusters.zooKeeperConnect(), 10_000, 10_000,
                new ExponentialBackoffRetry(100, 5));
        curator.start();
        curator.blockUntilConnected();
        hooked = new HookedFileSystem(fs);
        files = ClusterFiles.open(hooked, ClusterOptions.builder().curator(curator).build());
        for (String name : List.of("a.txt", "b.txt")) {
            healthy.writeText(new Path(dir, name), "old");
        }
    }

    @AfterEach
    void closeClient() {
        files.close();
        curator.close();
    }

    @Test
    void aSessionLostBeforeTheCommitPointCommitsNothing() throws Exception {
        CompletableFuture<Void> tx = pauseAt("create", ".stage", () -> {
            try (ClusterTransaction t = files.transaction()) {
                t.addWrite(new Path(dir, "a.txt"), "new", ContentType.TEXT);
                t.addWrite(new Path(dir, "b.txt"), "new", ContentType.TEXT);
                t.commit();
            }
        });
        assertThat(tx).failsWithin(Duration.ofSeconds(120)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOf(AtomicWriteException.class).isNotInstanceOf(CommitPendingException.class)
                .withMessageContaining("ZooKeeper session");
        assertThat(HdfsFiles.text(fs, new Path(dir, "a.txt"))).isEqualTo("old");
        assertThat(HdfsFiles.text(fs, new Path(dir, "b.txt"))).isEqualTo("old");
        RecoveryReport report = healthy.recover();
        assertThat(report.transactions()).as(report.toString()).allMatch(t -> t.outcome() != RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(HdfsFiles.text(fs, new Path(dir, "a.txt"))).isEqualTo("old");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
    }

    @Test
    void aSessionLostAfterTheCommitPointIsFinishedByRecovery() throws Exception {
        CompletableFuture<Void> tx = pauseAt("rename", ".stage", () -> {
            try (ClusterTransaction t = files.transaction()) {
                t.addWrite(new Path(dir, "a.txt"), "new", ContentType.TEXT);
                t.addWrite(new Path(dir, "b.txt"), "new", ContentType.TEXT);
                t.commit();
            }
        });
        assertThat(tx).failsWithin(Duration.ofSeconds(120)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOf(CommitPendingException.class);
        RecoveryReport report = healthy.recover();
        assertThat(report.transactions()).as(report.toString()).singleElement()
                .matches(t -> t.outcome() == RecoveryReport.Outcome.ROLLED_FORWARD, "rolled forward");
        assertThat(HdfsFiles.text(fs, new Path(dir, "a.txt"))).isEqualTo("new");
        assertThat(HdfsFiles.text(fs, new Path(dir, "b.txt"))).isEqualTo("new");
        assertThat(HdfsFiles.text(fs, new Path(dir, "b.txt.backup"))).isEqualTo("old");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
    }

    @Test
    void aWriteWhoseSessionIsLostPublishesNothing() throws Exception {
        CompletableFuture<Void> write = pauseAt("create", ".tmp-", () -> files.writeText(new Path(dir, "a.txt"), "new"));
        assertThat(write).failsWithin(Duration.ofSeconds(120)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOf(AtomicWriteException.class).withMessageContaining("ZooKeeper session");
        assertThat(HdfsFiles.text(fs, new Path(dir, "a.txt"))).isEqualTo("old");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
    }

    @Test
    void withTheSessionIntactTheSameTransactionCommits() throws Exception {
        try (ClusterTransaction t = files.transaction()) {
            t.addWrite(new Path(dir, "a.txt"), "new", ContentType.TEXT);
            t.commit();
        }
        assertThat(HdfsFiles.text(fs, new Path(dir, "a.txt"))).isEqualTo("new");
    }

    /**
     * The quorum no longer grants the writer its lock while the writer's own connection and
     * session look fine (its lock node was removed behind its back, as a session expiry the
     * client has not noticed yet does): the write publishes nothing. A check of the client's
     * own view of its session alone lets this write through.
     */
    @Test
    void aWriteWhoseLockTheQuorumNoLongerGrantsPublishesNothing() throws Exception {
        Path target = new Path(dir, "a.txt");
        CompletableFuture<Void> write = pauseAt("create", ".tmp-", () -> files.writeText(target, "new"),
                () -> removeLockNodes(target));
        assertThat(write).failsWithin(Duration.ofSeconds(120)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOf(AtomicWriteException.class).withMessageContaining("quorum");
        assertThat(HdfsFiles.text(fs, target)).isEqualTo("old");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
    }

    /** The same at a transaction's commit point: no commit record, nothing published. */
    @Test
    void aTransactionWhoseLocksTheQuorumNoLongerGrantsCommitsNothing() throws Exception {
        Path a = new Path(dir, "a.txt");
        CompletableFuture<Void> tx = pauseAt("create", ".stage", () -> {
            try (ClusterTransaction t = files.transaction()) {
                t.addWrite(a, "new", ContentType.TEXT);
                t.addWrite(new Path(dir, "b.txt"), "new", ContentType.TEXT);
                t.commit();
            }
        }, () -> {
            removeLockNodes(a);
            removeLockNodes(new Path(dir, "b.txt"));
            removeLockNodes(new Path(dir, "a.txt.backup"));
            removeLockNodes(new Path(dir, "b.txt.backup"));
        });
        assertThat(tx).failsWithin(Duration.ofSeconds(120)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOf(AtomicWriteException.class).isNotInstanceOf(CommitPendingException.class)
                .withMessageContaining("quorum");
        assertThat(HdfsFiles.text(fs, a)).isEqualTo("old");
        assertThat(HdfsFiles.text(fs, new Path(dir, "b.txt"))).isEqualTo("old");
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
    }

    /** Deletes the ZooKeeper nodes of every holder and waiter of {@code file}'s lock. */
    private void removeLockNodes(Path file) throws Exception {
        String lock = "/atomicfiles/" + io.atomicfiles.hadoop.internal.ClusterLocks.none().key(fs.makeQualified(file));
        if (curator.checkExists().forPath(lock) == null) {
            return;
        }
        for (String child : curator.getChildren().forPath(lock)) {
            curator.delete().forPath(lock + "/" + child);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    /**
     * Runs {@code work} in another thread, pausing it at the first {@code call} on a path whose
     * name contains {@code marker}; meanwhile the client's session is expired (as the quorum does
     * when a client falls silent for its session timeout), then the work goes on.
     */
    private CompletableFuture<Void> pauseAt(String call, String marker, Work work) throws Exception {
        return pauseAt(call, marker, work, null);
    }

    /** {@link #pauseAt(String, String, Work)}, doing {@code meanwhile} instead of expiring the session. */
    private CompletableFuture<Void> pauseAt(String call, String marker, Work work, Work meanwhile) throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicBoolean once = new AtomicBoolean();
        hooked.hook((c, path) -> {
            if (c.equals(call) && path.getName().contains(marker) && once.compareAndSet(false, true)) {
                paused.countDown();
                try {
                    resume.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CountDownLatch lost = new CountDownLatch(1);
        curator.getConnectionStateListenable().addListener((client, state) -> {
            if (state == ConnectionState.LOST) {
                lost.countDown();
            }
        });
        CompletableFuture<Void> future = CompletableFuture.runAsync(() -> {
            try {
                work.run();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertThat(paused.await(120, TimeUnit.SECONDS)).as("the work reached " + call + " " + marker).isTrue();
        if (meanwhile != null) {
            meanwhile.run();
            resume.countDown();
            return future;
        }
        ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
        Sessions.expire(clusters.zooKeeperConnect(), zk.getSessionId(), zk.getSessionPasswd());
        assertThat(lost.await(60, TimeUnit.SECONDS)).as("Curator noticed the session's loss").isTrue();
        resume.countDown();
        return future;
    }
}
