package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash harness: a child JVM ({@link CrashChild}) commits random transactions of 3 to 20
 * operations (writes of every content type, some of a few MiB, copies, moves, deletes; backups
 * on or off; every durability) over about 8 files of one folder, next to a bystander file no
 * transaction touches. It logs each transaction's intended after-state before commit() and
 * "ack" after. This JVM kills it ({@code destroyForcibly}, SIGKILL) 10 to 300 ms after it has
 * started (one kill in six instead waits for it to reach a random point of the staging step, one
 * in six of the apply step, so that both recoveries are exercised under any timing), runs recovery (every fifth time first in another child, killed 0 to 40 ms in, so that
 * recovery itself is interrupted), and checks:
 *
 * <ul>
 *   <li>all or nothing: the files are exactly the state before the last logged transaction or
 *       exactly its logged after-state;</li>
 *   <li>durability of acknowledged commits: after an "ack", only the after-state will do;</li>
 *   <li>no hidden {@code .tx-} file and no journal left;</li>
 *   <li>the bystander untouched, byte for byte.</li>
 * </ul>
 *
 * <p>300 kills by default, over three lanes (folders) at once; {@code -Datomicfiles.tx.kills=5000}
 * runs more, {@code -Datomicfiles.tx.lanes} sets the lanes, {@code -Datomicfiles.tx.seed} the seed.
 */
class CrashHarnessTest {
    private static final int KILLS = Integer.getInteger("atomicfiles.tx.kills", 300);
    private static final int LANES = Integer.getInteger("atomicfiles.tx.lanes", 3);
    private static final long SEED = Long.getLong("atomicfiles.tx.seed", System.nanoTime());

    @TempDir
    Path root;

    /** What the kills found, over all lanes. */
    private final Map<String, AtomicInteger> tally = new TreeMap<>();

    private void count(String what) {
        synchronized (tally) {
            tally.computeIfAbsent(what, w -> new AtomicInteger()).incrementAndGet();
        }
    }

    private int counted(String what) {
        synchronized (tally) {
            AtomicInteger n = tally.get(what);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void killedTransactionsAreAllOrNothingAndAcknowledgedOnesSurvive() throws Exception {
        System.out.printf("crash harness: %d kills over %d lanes, seed %d%n", KILLS, LANES, SEED);
        long start = System.nanoTime();
        ExecutorService lanes = Executors.newFixedThreadPool(LANES);
        List<Future<?>> futures = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int kills = KILLS / LANES + (lane < KILLS % LANES ? 1 : 0);
            Lane l = new Lane(root.resolve("lane" + lane), lane, kills, new Random(SEED + lane));
            futures.add(lanes.submit(() -> {
                l.run();
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            lanes.shutdownNow();
        }
        System.out.printf("crash harness: %d kills in %.0f s (%d at a random moment, %d in staging, %d in apply);"
                + " after recovery: %d rolled back, %d rolled forward, %d only cleaned up, %d discarded (journal"
                + " without intent), %d clean (no journal); files found in the before state %d times, in the after"
                + " state %d times; %d recoveries run in a child and killed (%d of them with a journal to recover:"
                + " %d finished first, %d were killed after changing files); %d transactions acknowledged%n",
                KILLS, (System.nanoTime() - start) / 1e9,
                KILLS - counted("targeted at stage") - counted("targeted at apply"), counted("targeted at stage"),
                counted("targeted at apply"), counted("ROLLED_BACK"), counted("ROLLED_FORWARD"),
                counted("CLEANED_UP"), counted("DISCARDED"), counted("clean"), counted("before"), counted("after"),
                counted("recovery child"),
                counted("recovery child finished") + counted("recovery child killed with work to do"),
                counted("recovery child finished"), counted("recovery child killed halfway"),
                counted("acknowledged"));
        assertThat(counted("kills")).isEqualTo(KILLS);
        if (KILLS >= 6) {
            assertThat(counted("ROLLED_BACK")).as("recoveries that rolled back").isGreaterThan(0);
            assertThat(counted("ROLLED_FORWARD") + counted("recovery child finished"))
                    .as("recoveries that rolled forward").isGreaterThan(0);
        }
    }

    /** One folder, its journal folder, and a child killed again and again. */
    private final class Lane {
        private final Path files;
        private final Path journals;
        private final Path logs;
        private final Path scratch;
        private final int lane;
        private final int kills;
        private final Random random;
        private final byte[] bystander;

        Lane(Path base, int lane, int kills, Random random) throws IOException {
            this.files = Files.createDirectories(base.resolve("files"));
            this.journals = Files.createDirectories(base.resolve("journals"));
            this.logs = Files.createDirectories(base.resolve("logs"));
            this.scratch = base.resolve("scratch");
            this.lane = lane;
            this.kills = kills;
            this.random = random;
            this.bystander = new byte[64 * 1024];
            random.nextBytes(bystander);
            Files.write(files.resolve(CrashChild.BYSTANDER), bystander);
        }

        void run() throws Exception {
            for (int kill = 1; kill <= kills; kill++) {
                killOnce(kill);
                count("kills");
            }
        }

        private void killOnce(int kill) throws Exception {
            Map<String, String> start = current();
            Path log = logs.resolve("child-" + kill + ".log");
            // Most kills come at a random moment; one in six waits for the child to reach a
            // random note of the staging step, one in six of the apply step (after the commit
            // point), so that both recoveries are exercised however the timing falls.
            String target = kill % 6 == 2 ? "stage" : kill % 6 == 5 ? "apply" : "random";
            try (ChildJvm child = ChildJvm.builder(CrashChild.class).quickStart().args("run", files.toString(),
                    journals.toString(), log.toString(), Long.toString(random.nextLong()), "l" + lane + "k" + kill,
                    scratch.toString(), target).start()) {
                boolean ready = child.awaitLine("ready", Duration.ofSeconds(60));
                assertThat(ready).as("lane %d kill %d: the child started; its errors: %s", lane, kill,
                        child.stderr()).isTrue();
                if (target.equals("random")) {
                    Thread.sleep(10 + random.nextInt(291));
                } else {
                    assertThat(child.awaitLine("now", Duration.ofSeconds(120))).as("lane %d kill %d: the child"
                            + " reached the %s step; its errors: %s", lane, kill, target, child.stderr()).isTrue();
                    count("targeted at " + target);
                }
                boolean alive = child.isAlive();
                child.kill();
                assertThat(alive).as("lane %d kill %d: the child was still running; its errors: %s", lane, kill,
                        child.stderr()).isTrue();
            }

            if (kill % 5 == 0) {
                killARecovery(kill, !TxFiles.journals(journals).isEmpty());
            }
            RecoveryReport report = FileTransaction.recover(journals);
            if (report.isEmpty()) {
                count("clean");
            }
            report.transactions().forEach(t -> count(t.outcome().name()));
            assertThat(report.hasConflicts()).as("lane %d kill %d: conflicts: %s", lane, kill, report).isFalse();
            check(kill, start, CrashChild.lines(log), report);
            Files.delete(log);
        }

        private void killARecovery(int kill, boolean workToDo) throws Exception {
            Map<String, String> before = TxFiles.hashes(files);
            boolean finished;
            try (ChildJvm recovery = ChildJvm.builder(CrashChild.class).quickStart()
                    .args("recover", journals.toString(), scratch.toString()).start()) {
                if (recovery.awaitLine("ready", Duration.ofSeconds(60))) {
                    Thread.sleep(random.nextInt(41));
                }
                recovery.kill();
                finished = recovery.process().exitValue() == 0; // it returned from recover() before the kill
            }
            count("recovery child");
            if (workToDo) {
                count(finished ? "recovery child finished" : "recovery child killed with work to do");
                if (!finished && !TxFiles.hashes(files).equals(before)) {
                    count("recovery child killed halfway"); // it had changed files, but not finished
                }
            }
        }

        /** The checks after a kill and recovery, against the child's log. */
        private void check(int kill, Map<String, String> start, List<String> lines, RecoveryReport report)
                throws IOException {
            String where = "lane " + lane + " kill " + kill;
            assertThat(TxFiles.journals(journals)).as(where + ": journals left").isEmpty();
            assertThat(TxFiles.hiddenLeftovers(files)).as(where + ": hidden files left").isEmpty();
            assertThat(Hashing.sha256Hex(Files.readAllBytes(files.resolve(CrashChild.BYSTANDER))))
                    .as(where + ": the bystander").isEqualTo(Hashing.sha256Hex(bystander));
            Map<String, String> before = start;
            CrashChild.Entry last = null;
            boolean acknowledged = false;
            for (String line : lines) {
                CrashChild.Entry entry = CrashChild.Entry.parse(line);
                if (entry.kind().equals("intent")) {
                    assertThat(last == null || acknowledged).as(where + ": a transaction began before the last"
                            + " one was acknowledged").isTrue();
                    if (last != null) {
                        before = last.state();
                    }
                    last = entry;
                    acknowledged = false;
                } else {
                    assertThat(last).as(where + ": ack without intent").isNotNull();
                    assertThat(entry.id()).as(where).isEqualTo(last.id());
                    acknowledged = true;
                    count("acknowledged");
                }
            }
            Map<String, String> now = current();
            if (last == null) {
                assertThat(now).as(where + ": killed before its first transaction was logged").isEqualTo(start);
                count("before");
                return;
            }
            String context = where + ", last transaction " + last.id() + (acknowledged ? " (acknowledged)" : "")
                    + ", recovery: " + report;
            if (acknowledged || !now.equals(before)) {
                assertThat(now).as(context + ": not the after state").isEqualTo(last.state());
                count("after");
            } else {
                count("before");
            }
        }

        /** The folder's files but the bystander: name → SHA-256. */
        private Map<String, String> current() throws IOException {
            Map<String, String> state = TxFiles.hashes(files);
            state.remove(CrashChild.BYSTANDER);
            return state;
        }
    }
}
