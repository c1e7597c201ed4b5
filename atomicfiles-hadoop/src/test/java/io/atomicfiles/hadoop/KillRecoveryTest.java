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
    private static Clusters clusters;
    private static FileSystem fs;
    private static ClusterFiles files;

    @BeforeAll
    static void start() throws Exception {
        clusters = Clusters.start("kill", 3);
        fs = clusters.fileSystem();
        files = ClusterFiles.open(fs, ClusterOptions.builder().zooKeeper(clusters.zooKeeperConnect()).build());
        Child.prepareArchive(HostMain.class, "warm-up", clusters.hdfsUri(), clusters.zooKeeperConnect(),
                "/warm-up/data");
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
    void everyTransactionIsAllOrNothingAcrossKills() throws Exception {
        Path dir = fs.makeQualified(new Path("/kill/data"));
        fs.mkdirs(dir);
        Random random = new Random(Long.getLong("atomicfiles.hadoop.seed", System.nanoTime()));
        long value = 0;
        long acknowledged = 0;
        Child next = startChild(dir);
        List<String> outcomes = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            Child child = next;
            long t0 = System.nanoTime();
            String session = child.awaitLineStartingWith("session ", Duration.ofSeconds(120));
            assertThat(child.awaitLineStartingWith("ready", Duration.ofSeconds(120))).as(child.stderr()).isNotNull();
            long t1 = System.nanoTime();
            child.go();
            // The next host starts while this one works: its start-up overlaps this one's run.
            next = kill + 1 < KILLS ? startChild(dir) : null;
            // A random moment: after 0, 1 or 2 commits, somewhere in the transaction that follows.
            int commits = random.nextInt(3);
            List<String> lines = new ArrayList<>();
            for (int c = 0; c < commits; ) {
                String line = child.readLine(Duration.ofSeconds(60));
                if (line == null) {
                    break;
                }
                lines.add(line);
                c += line.startsWith("committed ") ? 1 : 0;
            }
            Thread.sleep(random.nextInt(400));
            child.kill();
            long begun = value;
            lines.addAll(child.drain());
            if (Boolean.getBoolean("atomicfiles.hadoop.debug")) {
                System.out.println("kill " + kill + ": " + lines + "\n" + child.stderr());
            }
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
            RecoveryReport report = files.recover();
            if (Boolean.getBoolean("atomicfiles.hadoop.debug") || kill % 10 == 0) {
                System.out.printf("kill %d: ready after %d ms, recovery %d ms%n", kill, (t1 - t0) / 1_000_000,
                        (System.nanoTime() - t2) / 1_000_000);
            }
            report.transactions().forEach(t -> outcomes.add(t.outcome().name()));
            assertThat(report.hasConflicts()).as(report.toString()).isFalse();
            assertThat(report.skipped()).as(report.toString()).isEmpty();

            value = checkConsistent(dir, acknowledged, begun, report);
        }
        System.out.println("kill test: " + KILLS + " kills, last value " + value + ", recoveries " + outcomes.size()
                + " (" + outcomes.stream().filter("ROLLED_FORWARD"::equals).count() + " rolled forward, "
                + outcomes.stream().filter("ROLLED_BACK"::equals).count() + " rolled back)");
        assertThat(value).isGreaterThan(KILLS / 4);
    }

    /** All of f0..f4 hold one value, at least the last acknowledged, and m matches it; nothing hidden left. */
    private long checkConsistent(Path dir, long acknowledged, long begun, RecoveryReport report) throws IOException {
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
        assertThat(HdfsFiles.list(fs, ClusterOptions.DEFAULT_JOURNAL_DIR)).as(why).isEmpty();
        return value;
    }

    private static Child startChild(Path dir) throws IOException {
        return Child.start(HostMain.class, "tx-loop", clusters.hdfsUri(), clusters.zooKeeperConnect(), dir.toString());
    }
}
