package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.RecoveryReport;
import io.atomicfiles.hadoop.testing.Child;
import io.atomicfiles.hadoop.testing.Clusters;
import io.atomicfiles.hadoop.testing.HostMain;
import io.atomicfiles.hadoop.testing.Sessions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client JVM running transactions is killed (SIGKILL) at a random moment, again and again;
 * another JVM (this one) recovers after each kill. Every transaction is all or nothing, every
 * acknowledged commit is kept, and no hidden file or journal is left.
 */
class KillRecoveryTest {
    private static final int KILLS = Integer.getInteger("atomicfiles.hadoop.kills", 100);
    /** How many host JVMs of a lane start ahead of the one at work. */
    private static final int AHEAD = 2;
    private static Clusters clusters;
    private static FileSystem fs;
    private static ClusterFiles files;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.shared();
        fs = clusters.fileSystem();
        files = clusters.filesOn(fs);
        clusters.prepareHostArchive();
    }

    @AfterAll
    static void stop() throws Exception {
        Clusters.closeAll(files, clusters);
    }

    /**
     * Two lanes side by side, each with its own files, journal folder and host JVMs, each killed
     * half of the times: a lane's host starts while the other lane's runs or recovers.
     */
    @Test
    void everyTransactionIsAllOrNothingAcrossKills() throws Exception {
        long seed = Long.getLong("atomicfiles.hadoop.seed", System.nanoTime());
        System.out.println("kill test seed " + seed + " (-Datomicfiles.hadoop.seed=" + seed + " repeats it)");
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<List<String>>> results = new ArrayList<>();
            for (int lane = 0; lane < 2; lane++) {
                int kills = KILLS / 2 + (lane == 0 ? KILLS % 2 : 0);
                int id = lane;
                results.add(lanes.submit(() -> lane(id, kills, new Random(seed + id))));
            }
            List<String> outcomes = new ArrayList<>();
            for (var result : results) {
                outcomes.addAll(result.get());
            }
            System.out.println("kill test: " + KILLS + " kills, " + outcomes.size() + " recoveries ("
                    + outcomes.stream().filter("ROLLED_FORWARD"::equals).count() + " rolled forward, "
                    + outcomes.stream().filter("ROLLED_BACK"::equals).count() + " rolled back, "
                    + outcomes.stream().filter("CLEANED_UP"::equals).count() + " cleaned up, "
                    + outcomes.stream().filter("DISCARDED"::equals).count() + " discarded: killed before its intent)");
        } finally {
            lanes.shutdownNow();
        }
    }

    private static List<String> lane(int lane, int kills, Random random) throws Exception {
        Path dir = fs.makeQualified(new Path("/kill/lane-" + lane + "/data"));
        Path journalDir = fs.makeQualified(new Path("/kill/lane-" + lane + "/journal"));
        fs.mkdirs(dir);
        List<String> outcomes = new ArrayList<>();
        long value = 0;
        long acknowledged = 0;
        long txMillis = 1000;
        try (ClusterFiles recovering = ClusterFiles.open(fs, ClusterOptions.builder()
                .zooKeeper(clusters.zooKeeperConnect()).journalDir(journalDir).build())) {
            // Two hosts start ahead of the one at work: a JVM's start-up (the slow part on a loaded
            // machine) overlaps two kill cycles rather than one.
            java.util.ArrayDeque<Child> starting = new java.util.ArrayDeque<>();
            int started = 0;
            for (; started < Math.min(AHEAD, kills); started++) {
                starting.add(startChild(dir, journalDir));
            }
            try {
                for (int kill = 0; kill < kills; kill++) {
                    Child child = starting.poll();
                    long t0 = System.nanoTime();
                    String session = child.awaitLineStartingWith("session ", Duration.ofSeconds(180));
                    assertThat(child.awaitLineStartingWith("ready", Duration.ofSeconds(180))).as(child.stderr())
                            .isNotNull();
                    long t1 = System.nanoTime();
                    child.go();
                    // The next hosts start while this one works: their start-up overlaps this one's run.
                    if (started < kills) {
                        starting.add(startChild(dir, journalDir));
                        started++;
                    }
                    // A random moment: after 0 or 1 commits, anywhere in the transaction that follows
                    // (from its begin to its commit and the renames after it): the sleep is drawn over
                    // the length of a transaction as measured on this machine, right now.
                    int commits = random.nextInt(2);
                    List<String> lines = new ArrayList<>();
                    long begin = 0;
                    for (int c = 0; c < commits; ) {
                        String line = child.readLine(Duration.ofSeconds(120));
                        if (line == null) {
                            break;
                        }
                        lines.add(line);
                        if (line.startsWith("begin ")) {
                            begin = System.nanoTime();
                        } else if (line.startsWith("committed ")) {
                            c++;
                            if (begin != 0) {
                                txMillis = (txMillis + (System.nanoTime() - begin) / 1_000_000) / 2;
                            }
                        }
                    }
                    Thread.sleep(random.nextInt((int) Math.max(200, txMillis * 5 / 4)));
                    child.kill();
                    lines.addAll(child.drain());
                    long begun = value;
                    for (String line : lines) {
                        if (line.startsWith("committed ")) {
                            acknowledged = Long.parseLong(line.substring(10));
                        } else if (line.startsWith("begin ")) {
                            begun = Long.parseLong(line.substring(6));
                        }
                    }
                    // The dead host's ZooKeeper session ends as it would after its timeout, only sooner.
                    Sessions.expire(clusters.zooKeeperConnect(), session);
                    long t2 = System.nanoTime();
                    RecoveryReport report = recovering.recover();
                    if (Boolean.getBoolean("atomicfiles.hadoop.debug") || kill % 10 == 0) {
                        System.out.printf("lane %d kill %d: ready after %d ms, transaction ~%d ms, recovery %d ms, %s%n",
                                lane, kill, (t1 - t0) / 1_000_000, txMillis, (System.nanoTime() - t2) / 1_000_000,
                                report.transactions().stream().map(t -> t.outcome().name()).toList());
                    }
                    report.transactions().forEach(t -> outcomes.add(t.outcome().name()));
                    assertThat(report.hasConflicts()).as(report.toString()).isFalse();
                    assertThat(report.skipped()).as(report.toString()).isEmpty();
                    value = checkConsistent(dir, journalDir, acknowledged, begun, report);
                }
            } finally {
                starting.forEach(Child::kill); // none left unless an assertion failed
            }
        }
        assertThat(value).as("lane %d made progress", lane).isGreaterThan(kills / 4);
        return outcomes;
    }

    /**
     * Without ZooKeeper, the journal's HDFS lease alone fences a dead host: while the NameNode
     * still counts its lease as renewed, recovery leaves the journal alone (the host may be alive
     * and about to commit); once the lease's soft limit passes, recovery from another JVM takes
     * the lease ({@code recoverLease} through an append) and finishes the transaction, all or
     * nothing. The soft limit is shortened from one minute to one second for the second part.
     */
    @Test
    void withoutZooKeeperTheJournalLeaseAloneFencesAndRecovery() throws Exception {
        Path dir = fs.makeQualified(new Path("/kill/no-zk/data"));
        Path journalDir = fs.makeQualified(new Path("/kill/no-zk/journal"));
        fs.mkdirs(dir);
        try (ClusterFiles recovering = ClusterFiles.open(fs, ClusterOptions.builder().journalDir(journalDir).build())) {
            assertThat(recovering.hasLocks()).isFalse();
            Child child = Child.start(HostMain.class, "tx-loop", clusters.hdfsUri(), "-", dir.toString(),
                    journalDir.toString());
            assertThat(child.awaitLineStartingWith("ready", Duration.ofSeconds(180))).as(child.stderr()).isNotNull();
            child.go();
            List<String> lines = new ArrayList<>();
            for (String line; (line = child.readLine(Duration.ofSeconds(120))) != null; ) {
                lines.add(line);
                if (line.equals("begin 3")) {
                    break;
                }
            }
            // Kill once the third transaction's journal exists, somewhere in its work.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (HdfsFiles.list(fs, journalDir).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(new Random().nextInt(300));
            child.kill();
            lines.addAll(child.drain());
            long acknowledged = 0;
            long begun = 0;
            for (String line : lines) {
                if (line.startsWith("committed ")) {
                    acknowledged = Long.parseLong(line.substring(10));
                } else if (line.startsWith("begin ")) {
                    begun = Long.parseLong(line.substring(6));
                }
            }
            List<Path> journals = HdfsFiles.list(fs, journalDir);
            org.apache.hadoop.hdfs.DistributedFileSystem dfs = clusters.fileSystem();
            boolean leaseHeld = journals.size() == 1 && !dfs.isFileClosed(journals.get(0));
            System.out.println("no ZooKeeper: killed after " + lines + ", journal open: " + leaseHeld);
            if (leaseHeld) {
                RecoveryReport early = recovering.recover();
                assertThat(early.transactions()).as(early.toString()).isEmpty();
                assertThat(early.skipped()).as(early.toString()).hasSize(1);
                assertThat(fs.exists(journals.get(0))).isTrue();
            }
            clusters.dfs().setLeasePeriod(1000, 20 * 60_000);
            RecoveryReport report;
            try {
                Thread.sleep(1500);
                report = recovering.recover();
            } finally {
                clusters.dfs().setLeasePeriod(60_000, 20 * 60_000);
            }
            assertThat(report.hasConflicts()).as(report.toString()).isFalse();
            assertThat(report.skipped()).as(report.toString()).isEmpty();
            if (leaseHeld) {
                assertThat(report.transactions()).as(report.toString()).hasSize(1);
            }
            checkConsistent(dir, journalDir, acknowledged, Math.max(begun, acknowledged), report);
        }
    }

    /** All of f0..f4 hold one value, at least the last acknowledged, and m matches it; nothing hidden left. */
    private static long checkConsistent(Path dir, Path journalDir, long acknowledged, long begun,
            RecoveryReport report) throws IOException {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < HostMain.FILES; i++) {
            values.add(HdfsFiles.textOrNull(fs, new Path(dir, "f" + i)));
        }
        String why = "files " + values + ", acknowledged " + acknowledged + ", begun " + begun + "\n" + report;
        long value = values.get(0) == null ? 0 : Long.parseLong(values.get(0));
        assertThat(values).as(why).allMatch(v -> v == null ? value == 0 : Long.parseLong(v) == value);
        assertThat(value).as(why).isBetween(acknowledged, Math.max(begun, acknowledged));
        String m = HdfsFiles.textOrNull(fs, new Path(dir, "m"));
        if (value > 0 && value % 2 == 0) {
            assertThat(m).as(why).isEqualTo(Long.toString(value));
        } else {
            assertThat(m).as(why).isNull();
        }
        if (value >= 2) {
            for (int i = 0; i < HostMain.FILES; i++) {
                assertThat(HdfsFiles.text(fs, new Path(dir, "f" + i + ".backup"))).as(why)
                        .isEqualTo(Long.toString(value - 1));
            }
        }
        assertThat(HdfsFiles.hiddenNames(fs, dir)).as(why).isEmpty();
        assertThat(HdfsFiles.list(fs, journalDir)).as(why).isEmpty();
        return value;
    }

    private static Child startChild(Path dir, Path journalDir) throws IOException {
        return Child.start(HostMain.class, "tx-loop", clusters.hdfsUri(), clusters.zooKeeperConnect(), dir.toString(),
                journalDir.toString());
    }
}
