package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HookedFileSystem;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The cluster fails under a client: the NameNode restarts, or DataNodes die, in the middle of
 * writes and transactions. With DataNodes dying, a write carries on (HDFS's pipeline recovery)
 * and what is published is whole. Across a NameNode restart, each write or transaction whose
 * calls were in flight commits (then it is kept) or fails, old-or-new and all-or-nothing, and
 * nothing is left once recovered; the client works again afterwards.
 */
class FailoverTest {
    private static final int MIB = 1024 * 1024;
    /** Threads of their own for the reader and the restart (the common pool may have one thread). */
    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors
            .newCachedThreadPool();
    private static Clusters clusters;
    private static FileSystem fs;
    private static HookedFileSystem hooked;
    private static ClusterFiles files;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.start("failover", 4);
        fs = clusters.fileSystem();
        hooked = new HookedFileSystem(fs);
        files = clusters.filesOn(hooked);
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(files, clusters);
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

    /**
     * Writes one after another while the NameNode restarts under them (from another thread, so
     * calls of every step straddle it). Every write that returned is on disk until the next one
     * (an acknowledged write is kept); a write that failed left the file old or new, whole, with
     * an error naming the file; a reader meanwhile only ever reads a whole version, never no
     * file; writes succeed again after the restart; nothing hidden is left once swept.
     */
    @Test
    void writesInFlightAcrossANameNodeRestartEndOldOrNew() throws Exception {
        Path dir = new Path("/failover/nn-writes");
        Path target = new Path(dir, "data.txt");
        files.writeText(target, version(0));
        AtomicBoolean stop = new AtomicBoolean();
        List<String> readerViolations = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readWholeVersions(target, stop,
                readerViolations), THREADS);
        CountDownLatch writing = new CountDownLatch(3);
        CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
            try {
                writing.await();
                clusters.dfs().restartNameNode(true);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, THREADS);
        try {
            writesAcross(target, writing, restart);
        } finally {
            restart.join(); // a failed assertion must not leave the NameNode down for the next test
            stop.set(true);
            reader.join();
        }
        assertThat(readerViolations).isEmpty();
        files.sweepStaleTempFiles(dir, java.time.Duration.ZERO);
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
    }

    private void writesAcross(Path target, CountDownLatch writing, CompletableFuture<Void> restart) throws Exception {
        String acknowledged = version(0);
        List<String> failedSince = new ArrayList<>();
        int failures = 0;
        int afterRestart = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (int v = 1; afterRestart < 3 && System.nanoTime() < deadline; v++) {
            boolean restarted = restart.isDone();
            try {
                files.writeText(target, version(v));
                acknowledged = version(v);
                failedSince.clear();
                afterRestart += restarted ? 1 : 0;
            } catch (IOException e) {
                failures++;
                failedSince.add(version(v));
                assertThat(e).as("a failed write names its file").hasMessageContaining(target.toUri().getPath());
                Thread.sleep(100); // the NameNode is down: no need to ask it 10 times a second
            }
            writing.countDown();
        }
        restart.get();
        System.out.println("writes across a NameNode restart: " + failures + " failed cleanly, the rest committed");
        String onDisk = textOnceTheNameNodeAnswers(target);
        List<String> allowed = new ArrayList<>(failedSince);
        allowed.add(acknowledged);
        assertThat(onDisk).as("the last acknowledged write, or a failed one after it, whole").isIn(allowed);
        assertThat(afterRestart).as("writes succeed after the restart").isEqualTo(3);
    }

    /**
     * Three-file transactions one after another while the NameNode restarts under them: one
     * that returned (or was committed and finished by recovery) is whole on disk; one that
     * failed is, once recovered, all old or all new, never mixed; no journal or hidden file is
     * left.
     */
    @Test
    void transactionsInFlightAcrossANameNodeRestartAreAllOrNothing() throws Exception {
        Path dir = new Path("/failover/nn-txs");
        for (int i = 0; i < 3; i++) {
            files.writeText(new Path(dir, "f" + i), version(0));
        }
        CountDownLatch committing = new CountDownLatch(2);
        CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
            try {
                committing.await();
                clusters.dfs().restartNameNode(true);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, THREADS);
        try {
            transactionsAcross(dir, committing, restart);
        } finally {
            restart.join(); // a failed assertion must not leave the NameNode down for the next test
        }
        assertThat(HdfsFiles.hiddenNames(fs, dir)).isEmpty();
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).isEmpty();
    }

    private void transactionsAcross(Path dir, CountDownLatch committing, CompletableFuture<Void> restart)
            throws Exception {
        String acknowledged = version(0);
        int failures = 0;
        int afterRestart = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (int v = 1; afterRestart < 2 && System.nanoTime() < deadline; v++) {
            boolean restarted = restart.isDone();
            boolean committed;
            try (ClusterTransaction tx = files.transaction()) {
                for (int i = 0; i < 3; i++) {
                    tx.addWrite(new Path(dir, "f" + i), version(v), ContentType.TEXT);
                }
                tx.commit();
                committed = true;
            } catch (CommitPendingException e) {
                committed = true; // committed; recovery (below) finishes it
            } catch (IOException e) {
                committed = false;
                failures++;
                Thread.sleep(100);
            }
            committing.countDown();
            var report = recoverOnceTheNameNodeAnswers();
            assertThat(report.hasConflicts()).as(report.toString()).isFalse();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                values.add(textOnceTheNameNodeAnswers(new Path(dir, "f" + i)));
            }
            String why = "transaction " + v + (committed ? " committed" : " failed") + ": " + values.stream()
                    .map(x -> x.substring(0, x.indexOf(':'))).toList();
            assertThat(values).as(why).allMatch(values.get(0)::equals);
            if (committed) {
                assertThat(values.get(0)).as(why).isEqualTo(version(v));
                acknowledged = version(v);
                afterRestart += restarted ? 1 : 0;
            } else {
                assertThat(values.get(0)).as(why).isIn(acknowledged, version(v));
                acknowledged = values.get(0);
            }
        }
        restart.get();
        System.out.println("transactions across a NameNode restart: " + failures + " failed cleanly");
        assertThat(afterRestart).as("transactions commit after the restart").isEqualTo(2);
    }

    /** The file's text, the read retried while the NameNode is still coming back. */
    private static String textOnceTheNameNodeAnswers(Path path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try {
                return HdfsFiles.text(fs, path);
            } catch (java.io.FileNotFoundException e) {
                throw e;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** recover(), retried while the NameNode is still coming back (its calls then fail). */
    private static io.atomicfiles.RecoveryReport recoverOnceTheNameNodeAnswers() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            io.atomicfiles.RecoveryReport report;
            try {
                report = files.recover();
            } catch (IOException e) {
                report = null;
            }
            if (report != null && report.skipped().isEmpty()) {
                return report;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("recovery did not finish: " + report);
            }
            Thread.sleep(500);
        }
    }

    /** "vN:" and 64 KiB: a torn file would be shorter. */
    private static String version(int v) {
        return "v" + v + ":" + "x".repeat(64 * 1024);
    }

    private static void readWholeVersions(Path target, AtomicBoolean stop, List<String> violations) {
        java.util.regex.Pattern whole = java.util.regex.Pattern.compile("v[0-9]+:x{65536}");
        while (!stop.get()) {
            try {
                String text = HdfsFiles.text(fs, target);
                if (!whole.matcher(text).matches()) {
                    violations.add("a torn read of " + text.length() + " characters");
                }
            } catch (java.io.FileNotFoundException e) {
                violations.add("the file was absent");
            } catch (IOException e) {
                // The NameNode is down: no read at all, which is not a wrong read.
            }
        }
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
