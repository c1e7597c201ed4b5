package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HookedFileSystem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fails the k-th filesystem call (namespace calls, opens, creates, hsync and close) of a write
 * and of a transaction commit, for every k: the files are always old or new, never a mix, the
 * failure always carries the injected fault, and nothing is left behind once recovery ran.
 */
class FaultInjectionTest {
    private static Clusters clusters;
    private static FileSystem fs;
    private static HookedFileSystem hooked;
    private static ClusterFiles files;
    private static ClusterFiles healthy;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        hooked = new HookedFileSystem(fs);
        ClusterOptions options = ClusterOptions.builder().journalDir(new Path("/faults/journal")).build();
        files = ClusterFiles.open(hooked, options);
        healthy = ClusterFiles.open(fs, options);
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(clusters);
    }

    /** Counts calls; throws at call k (k = 0: never). */
    private static final class Faults implements HookedFileSystem.Hook {
        final AtomicInteger calls = new AtomicInteger();
        final int failAt;
        final List<IOException> injected = new ArrayList<>();

        Faults(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public void before(String call, Path path) throws IOException {
            if (calls.incrementAndGet() == failAt) {
                IOException e = new IOException("injected fault at call " + failAt + ": " + call + " " + path);
                injected.add(e);
                throw e;
            }
        }
    }

    @Test
    void aWriteOverAnExistingFileIsOldOrNewWhateverCallFails() throws Exception {
        Path dir = new Path("/faults/write");
        Path target = new Path(dir, "app.json");
        Path backup = new Path(dir, "app.json.backup");
        int total = sweep(() -> {
            fs.delete(dir, true);
            put(backup, "backup");
            put(target, "old");
        }, () -> files.writeText(target, "new"), (k, failure) -> {
            String now = HdfsFiles.text(fs, target);
            String kept = HdfsFiles.text(fs, backup);
            if (failure == null) {
                assertThat(now).as("k=%d", k).isEqualTo("new");
                assertThat(kept).as("k=%d", k).isEqualTo("old");
            } else {
                assertThat(now).as("k=%d %s", k, failure).isIn("old", "new");
                assertThat(kept).as("k=%d", k).isIn("backup", "old");
            }
            assertThat(HdfsFiles.hiddenNames(fs, dir)).as("k=%d %s", k, failure).isEmpty();
        });
        assertThat(total).isGreaterThan(8);
        System.out.println("fault sweep of a write: " + total + " calls, each failed once");
    }

    @Test
    void aTransactionIsAllOrNothingWhateverCallFails() throws Exception {
        Path dir = new Path("/faults/tx");
        List<Path> targets = List.of(new Path(dir, "a.json"), new Path(dir, "b.txt"), new Path(dir, "sub/c.txt"));
        Path gone = new Path(dir, "gone.txt");
        int total = sweep(() -> {
            fs.delete(dir, true);
            put(targets.get(0), "old");
            put(targets.get(1), "old");
            put(gone, "old");
        }, () -> {
            try (ClusterTransaction tx = files.transaction()) {
                tx.addWrite(targets.get(0), Map.of("v", "new"), ContentType.JSON);
                tx.addWrite(targets.get(1), "new", ContentType.TEXT);
                tx.addWrite(targets.get(2), "new", ContentType.TEXT);
                tx.addDelete(gone);
                tx.commit();
            }
        }, (k, failure) -> {
            // A failure at or after the commit point leaves a journal for recovery: run it.
            RecoveryReport report = healthy.recover();
            assertThat(report.hasConflicts()).as("k=%d %s", k, report).isFalse();
            String a = HdfsFiles.textOrNull(fs, targets.get(0));
            boolean applied = a != null && a.contains("new");
            String why = "k=" + k + " failure=" + failure + " report=" + report;
            if (failure == null || failure instanceof CommitPendingException) {
                assertThat(applied).as(why).isTrue();
            }
            if (applied) {
                assertThat(HdfsFiles.text(fs, targets.get(1))).as(why).isEqualTo("new");
                assertThat(HdfsFiles.text(fs, targets.get(2))).as(why).isEqualTo("new");
                assertThat(fs.exists(gone)).as(why).isFalse();
                assertThat(HdfsFiles.text(fs, new Path(dir, "gone.txt.deleted_backup"))).as(why).isEqualTo("old");
                assertThat(HdfsFiles.text(fs, new Path(dir, "b.txt.backup"))).as(why).isEqualTo("old");
            } else {
                assertThat(a).as(why).isEqualTo("old");
                assertThat(HdfsFiles.text(fs, targets.get(1))).as(why).isEqualTo("old");
                assertThat(fs.exists(targets.get(2))).as(why).isFalse();
                assertThat(fs.exists(new Path(dir, "sub"))).as(why).isFalse();
                assertThat(HdfsFiles.text(fs, gone)).as(why).isEqualTo("old");
                assertThat(fs.exists(new Path(dir, "b.txt.backup"))).as(why).isFalse();
            }
            assertThat(HdfsFiles.hiddenNames(fs, dir)).as(why).isEmpty();
            assertThat(HdfsFiles.list(fs, new Path("/faults/journal"))).as(why).isEmpty();
        });
        assertThat(total).isGreaterThan(30);
        System.out.println("fault sweep of a transaction: " + total + " calls, each failed once");
    }

    /** A file as a test sets it up: plainly, straight through HDFS. */
    private static void put(Path path, String text) throws IOException {
        try (var out = fs.create(path, false)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    @FunctionalInterface
    interface Check {
        void after(int k, Exception failure) throws Exception;
    }

    /**
     * Runs {@code operation} once without a fault to count its calls, then once per call k with
     * call k failing; every failure must carry the injected exception (the reason is not lost).
     */
    private static int sweep(Action prepare, Action operation, Check check) throws Exception {
        prepare.run();
        Faults counting = new Faults(0);
        hooked.hook(counting);
        operation.run();
        hooked.hook(null);
        check.after(0, null);
        int total = counting.calls.get();
        for (int k = 1; k <= total; k++) {
            prepare.run();
            Faults faults = new Faults(k);
            hooked.hook(faults);
            Exception failure = null;
            try {
                operation.run();
            } catch (IOException e) {
                failure = e;
            } finally {
                hooked.hook(null);
            }
            if (failure != null) {
                assertThat(carries(failure, faults.injected)).as("k=%d: the failure lost the injected fault: %s", k,
                        failure).isTrue();
                assertThat(failure).isInstanceOfAny(AtomicWriteException.class, java.nio.file.FileSystemException.class);
            }
            check.after(k, failure);
        }
        return total;
    }

    private static boolean carries(Throwable top, List<IOException> injected) {
        java.util.Deque<Throwable> todo = new java.util.ArrayDeque<>(List.of(top));
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (injected.contains(t)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                todo.push(s);
            }
        }
        return false;
    }
}
