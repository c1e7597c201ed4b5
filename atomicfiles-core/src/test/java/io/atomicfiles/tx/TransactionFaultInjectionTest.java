package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every k, a transaction whose k-th filesystem call fails (an exception) or crashes (the
 * process dies there), followed by recovery (itself crashed or failed at a call of its own,
 * then run again), leaves exactly the before state or exactly the after state, no hidden file,
 * no journal, and a recovery report without conflicts (nobody else touched the files).
 *
 * <p>Four transactions are broken this way: a mix with backups at full durability; backups
 * off (a delete without backup, a move, writes and a copy over existing files) at FILE
 * durability; moves across filesystems; and durability NONE. The files live on a tmpfs where
 * there is one (the calls made, and so the faults, are the same as on a disk; the fsyncs are
 * only cheaper), except that the cross-filesystem transaction moves from /dev/shm to the
 * temp folder.
 */
class TransactionFaultInjectionTest {
    private static final Path SHM = Path.of("/dev/shm");

    @TempDir
    Path tempDir;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private final List<Path> shmFolders = new ArrayList<>();
    /** Root name ("files", "other") → its real folder. */
    private final Map<String, Path> roots = new LinkedHashMap<>();
    private Path journals;
    /** Whether the last {@link #commit} got as far as calling {@code commit()} (else adding failed). */
    private boolean committing;

    /** A transaction to break: its files before and after (as "root/name" → text) and its operations. */
    record Scenario(String name, boolean backup, Durability durability, boolean crossFileSystem,
            Map<String, String> beforeText, Map<String, String> afterText, Ops ops) {

        /** The before state as {@link TxFiles#state} shows it. */
        Map<String, String> before() {
            return described(beforeText);
        }

        Map<String, String> after() {
            return described(afterText);
        }

        private static Map<String, String> described(Map<String, String> texts) {
            Map<String, String> state = new TreeMap<>();
            texts.forEach((name, text) -> state.put(name, name.endsWith("/") ? text
                    : TxFiles.describe(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            return state;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Adds the operations; {@code path} turns "root/name" into a path of the faulty filesystem. */
    @FunctionalInterface
    interface Ops {
        void add(FileTransaction tx, Function<String, Path> path) throws IOException;
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(mixedWithBackups(), backupsOff(), crossFileSystemMoves(), durabilityNone());
    }

    static Stream<Scenario> undoScenarios() {
        return Stream.of(mixedWithBackups(), backupsOff());
    }

    private static Map<String, String> map(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static Scenario mixedWithBackups() {
        return new Scenario("mixed, backups, FULL", true, Durability.FULL, false,
                map("files/a.json", "{}", "files/a.json.backup", "older", "files/src.txt", "source",
                        "files/moveme.txt", "moving", "files/old.txt", "old"),
                map("files/a.json", "{\n  \"v\": 2\n}\n", "files/a.json.backup", "{}", "files/sub/", "",
                        "files/sub/new.txt", "new", "files/src.txt", "source", "files/copy.txt", "source",
                        "files/moved.txt", "moving", "files/old.txt.deleted_backup", "old"),
                (tx, p) -> {
                    tx.addWrite(p.apply("files/a.json"), Map.of("v", 2), ContentType.JSON);
                    tx.addWrite(p.apply("files/sub/new.txt"), "new", ContentType.TEXT);
                    tx.addCopy(p.apply("files/src.txt"), p.apply("files/copy.txt"));
                    tx.addMove(p.apply("files/moveme.txt"), p.apply("files/moved.txt"));
                    tx.addDelete(p.apply("files/old.txt"));
                });
    }

    static Scenario backupsOff() {
        return new Scenario("backups off, FILE", false, Durability.FILE, false,
                map("files/a.yaml", "a: 0\n", "files/a.yaml.backup", "untouched", "files/src.txt", "source",
                        "files/dst.txt", "old dst", "files/moveme.txt", "moving", "files/target.txt", "old target",
                        "files/gone.txt", "gone"),
                map("files/a.yaml", "a: 1\n", "files/a.yaml.backup", "untouched", "files/src.txt", "source",
                        "files/dst.txt", "source", "files/target.txt", "moving", "files/n/", "",
                        "files/n/b.bin", "bytes"),
                (tx, p) -> {
                    tx.addWrite(p.apply("files/a.yaml"), Map.of("a", 1), ContentType.YAML);
                    tx.addWrite(p.apply("files/n/b.bin"), "bytes".getBytes(), ContentType.BYTES);
                    tx.addCopy(p.apply("files/src.txt"), p.apply("files/dst.txt"));
                    tx.addMove(p.apply("files/moveme.txt"), p.apply("files/target.txt"));
                    tx.addDelete(p.apply("files/gone.txt"));
                });
    }

    static Scenario crossFileSystemMoves() {
        return new Scenario("moves from /dev/shm, backups, FULL", true, Durability.FULL, true,
                map("other/big.txt", "big ".repeat(3000), "other/s.txt", "small", "other/stays.txt", "stays",
                        "files/moved.txt", "old moved", "files/a.txt", "a"),
                map("other/stays.txt", "stays", "files/moved.txt", "big ".repeat(3000),
                        "files/moved.txt.backup", "old moved", "files/new/", "", "files/new/s.txt", "small",
                        "files/a.txt", "new a", "files/a.txt.backup", "a"),
                (tx, p) -> {
                    tx.addMove(p.apply("other/big.txt"), p.apply("files/moved.txt"));
                    tx.addMove(p.apply("other/s.txt"), p.apply("files/new/s.txt"));
                    tx.addWrite(p.apply("files/a.txt"), "new a", ContentType.TEXT);
                });
    }

    static Scenario durabilityNone() {
        return new Scenario("durability NONE, backups", true, Durability.NONE, false,
                map("files/a.txt", "a", "files/src.txt", "source", "files/dst.txt", "dst",
                        "files/old.txt", "old", "files/old.txt.deleted_backup", "older"),
                map("files/a.txt", "new a", "files/a.txt.backup", "a", "files/src.txt", "source",
                        "files/copy.txt", "source", "files/old.txt.deleted_backup", "old", "files/x/", "",
                        "files/x/y/", "", "files/x/y/dst.txt", "dst"),
                (tx, p) -> {
                    tx.addWrite(p.apply("files/a.txt"), "new a", ContentType.TEXT);
                    tx.addCopy(p.apply("files/src.txt"), p.apply("files/copy.txt"));
                    tx.addMove(p.apply("files/dst.txt"), p.apply("files/x/y/dst.txt"));
                    tx.addDelete(p.apply("files/old.txt"));
                });
    }

    @AfterEach
    void removeShmFolders() throws IOException {
        for (Path p : shmFolders) {
            TxFiles.delete(p);
        }
    }

    // ---- the tests ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyFailingCallOfCommitEndsInBeforeOrAfter(Scenario s) throws IOException {
        int total = countCalls(s).size();
        int[] outcomes = new int[2];
        for (int k = 1; k <= total; k++) {
            String when = s + ": fail at " + k + " of " + total;
            reset(s);
            faulty.failAt(k);
            IOException thrown = null;
            try {
                commit(s);
            } catch (IOException e) {
                thrown = e;
            }
            faulty.failAt(0);
            if (thrown != null) {
                // One failure: the transaction undid everything itself, before any recovery. (Adding
                // an operation may throw what the filesystem threw; commit() throws its own.)
                if (committing) {
                    assertThat(thrown).as(when).isInstanceOf(AtomicWriteException.class);
                }
                assertThat(state()).as(when + ": state right after the failed commit").isEqualTo(s.before());
                assertThat(TxFiles.journals(journals)).as(when + ": journal").isEmpty();
            }
            RecoveryReport report = recover();
            assertThat(report.hasConflicts()).as(when + ": conflicts in " + report).isFalse();
            int outcome = checkBeforeOrAfter(s, when);
            assertThat(outcome == 0).as(when + ": before state exactly when commit threw " + thrown)
                    .isEqualTo(thrown != null);
            outcomes[outcome]++;
        }
        System.out.printf("%s: fault at each of %d calls of commit: %d before, %d after%n", s, total, outcomes[0],
                outcomes[1]);
        assertThat(outcomes[0]).isGreaterThan(0);
        assertThat(outcomes[1]).isGreaterThan(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyCrashOfCommitRecoversToBeforeOrAfterEvenIfRecoveryCrashes(Scenario s) throws IOException {
        int total = countCalls(s).size();
        Random random = new Random(42);
        int[] outcomes = new int[2];
        for (int k = 1; k <= total; k++) {
            String when = s + ": crash at " + k + " of " + total;
            crashCommitAt(s, k);
            // Recovery crashes once at a random call of its own, then runs to the end.
            int recoveryCalls = countRecoveryCalls();
            crashCommitAt(s, k);
            if (recoveryCalls > 0) {
                faulty.crashAt(1 + random.nextInt(recoveryCalls));
                try {
                    recover();
                } catch (FaultyFileSystem.SimulatedCrash crashed) {
                    // recovery "died" too
                }
                faulty.crashAt(0);
            }
            RecoveryReport report = recover();
            assertThat(report.hasConflicts()).as(when + ": conflicts in " + report).isFalse();
            outcomes[checkBeforeOrAfter(s, when)]++;
        }
        System.out.printf("%s: crash at each of %d calls of commit: %d before, %d after%n", s, total, outcomes[0],
                outcomes[1]);
        assertThat(outcomes[0]).isGreaterThan(0);
        assertThat(outcomes[1]).isGreaterThan(0);
    }

    /**
     * For one crash point of each kind (a recovery that rolls back, one that rolls forward, one
     * that only cleans up), every call of recovery crashes or fails in turn; recovery run again
     * then ends exactly where an undisturbed recovery ends.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyCrashAndFailureOfRecoveryEndsWhereUndisturbedRecoveryEnds(Scenario s) throws IOException {
        int total = countCalls(s).size();
        // The crash point of each recovery outcome whose recovery makes the most calls.
        Map<RecoveryReport.Outcome, int[]> chosen = new TreeMap<>();
        for (int k = 1; k <= total; k++) {
            crashCommitAt(s, k);
            faulty.failAt(0);
            RecoveryReport report = recover();
            int calls = faulty.calls();
            if (report.transactions().size() == 1) {
                RecoveryReport.Outcome outcome = report.transactions().get(0).outcome();
                int[] best = chosen.get(outcome);
                if (best == null || calls > best[1]) {
                    chosen.put(outcome, new int[] {k, calls});
                }
            }
        }
        assertThat(chosen).containsKeys(RecoveryReport.Outcome.ROLLED_BACK, RecoveryReport.Outcome.ROLLED_FORWARD);
        int runs = 0;
        for (Map.Entry<RecoveryReport.Outcome, int[]> e : chosen.entrySet()) {
            int k = e.getValue()[0];
            int recoveryCalls = e.getValue()[1];
            crashCommitAt(s, k);
            recover();
            Map<String, String> expected = state();
            for (int r = 1; r <= recoveryCalls; r++) {
                for (boolean crash : new boolean[] {true, false}) {
                    String when = s + ": commit crashed at " + k + " (" + e.getKey() + "), recovery "
                            + (crash ? "crashed" : "failed") + " at " + r + " of " + recoveryCalls;
                    crashCommitAt(s, k);
                    if (crash) {
                        faulty.crashAt(r);
                    } else {
                        faulty.failAt(r);
                    }
                    try {
                        recover();
                    } catch (FaultyFileSystem.SimulatedCrash | IOException interrupted) {
                        // recovery died or gave up: the next one finishes
                    }
                    faulty.failAt(0);
                    RecoveryReport report = recover();
                    assertThat(report.hasConflicts()).as(when + ": conflicts in " + report).isFalse();
                    checkBeforeOrAfter(s, when);
                    assertThat(state()).as(when).isEqualTo(expected);
                    runs++;
                }
            }
        }
        System.out.printf("%s: recovery interrupted at each of its calls for %s: %d runs%n", s, chosen.keySet(), runs);
    }

    /**
     * A rename of the apply step fails, and the undo that follows crashes (or fails) at each of
     * its calls in turn: recovery then finishes the undo, or rolls forward when the decision to
     * undo was not yet durable. Never a file lost, never a backup lost.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("undoScenarios")
    void aFailedApplyWhoseUndoIsInterruptedRecoversToBeforeOrAfter(Scenario s) throws IOException {
        List<String> calls = countCalls(s);
        List<Integer> renames = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith((i + 1) + " move ")) {
                renames.add(i + 1);
            }
        }
        assertThat(renames).hasSizeGreaterThan(3);
        int runs = 0;
        int[] outcomes = new int[2];
        for (int j : renames) {
            reset(s);
            faulty.failAt(j);
            try {
                commit(s);
            } catch (AtomicWriteException expected) {
                // undone in place
            }
            int undoCalls = faulty.calls() - j;
            faulty.failAt(0);
            assertThat(state()).as(s + ": rename at " + j + " failed").isEqualTo(s.before());
            for (int m = 1; m <= undoCalls; m++) {
                for (boolean crash : new boolean[] {true, false}) {
                    String when = s + ": rename at call " + j + " (" + calls.get(j - 1) + ") failed, then the undo "
                            + (crash ? "crashed" : "failed") + " at its call " + m + " of " + undoCalls;
                    reset(s);
                    int second = m;
                    faulty.failWith(() -> {
                        if (crash) {
                            faulty.crashAt(second);
                        } else {
                            faulty.failAt(second);
                        }
                        return new IOException("injected fault");
                    });
                    faulty.failAt(j);
                    try {
                        commit(s);
                    } catch (FaultyFileSystem.SimulatedCrash | IOException interrupted) {
                        // as planned
                    } finally {
                        faulty.failWith(() -> new IOException("injected fault"));
                        faulty.failAt(0);
                    }
                    RecoveryReport report = recover();
                    assertThat(report.hasConflicts()).as(when + ": conflicts in " + report).isFalse();
                    outcomes[checkBeforeOrAfter(s, when)]++;
                    runs++;
                }
            }
        }
        System.out.printf("%s: %d renames failed, undo interrupted at each call: %d runs, %d before, %d after%n", s,
                renames.size(), runs, outcomes[0], outcomes[1]);
    }

    // ---- the machinery ----

    /** Chooses the folders, runs the transaction once undisturbed, and returns the calls it made. */
    private List<String> countCalls(Scenario s) throws IOException {
        roots.clear();
        Path base = s.crossFileSystem() ? tempDir : fastFolder();
        roots.put("files", base.resolve("files"));
        journals = base.resolve("journals");
        if (s.crossFileSystem()) {
            Path other = TxFiles.otherFileSystemFolder(tempDir);
            if (other == null) {
                System.out.println("skipped " + s + ": /dev/shm is missing or on the temp folder's filesystem");
            }
            assumeTrue(other != null, "/dev/shm is not a separate filesystem here");
            Path shm = Files.createTempDirectory(other, "tx-fault-");
            shmFolders.add(shm);
            roots.put("other", shm.resolve("other"));
        }
        reset(s);
        faulty.record(true);
        faulty.failAt(0);
        commit(s);
        List<String> calls = faulty.log();
        faulty.record(false);
        assertThat(state()).as(s + ": undisturbed").isEqualTo(s.after());
        assertThat(TxFiles.journals(journals)).isEmpty();
        return calls;
    }

    /** A folder on tmpfs when there is one, else in the temp folder. */
    private Path fastFolder() throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            Path folder = Files.createTempDirectory(SHM, "tx-fault-");
            shmFolders.add(folder);
            return folder;
        }
        return tempDir;
    }

    private void reset(Scenario s) throws IOException {
        faulty.failAt(0);
        for (Path root : roots.values()) {
            TxFiles.empty(root);
        }
        TxFiles.empty(journals);
        for (Map.Entry<String, String> e : s.beforeText().entrySet()) {
            Path p = real(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
    }

    private Path real(String name) {
        int slash = name.indexOf('/');
        return roots.get(name.substring(0, slash)).resolve(name.substring(slash + 1));
    }

    private void commit(Scenario s) throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(faulty.path(journals))
                .showProgress(false).backup(s.backup()).durability(s.durability()).build();
        committing = false;
        try (FileTransaction tx = new FileTransaction(options)) {
            s.ops().add(tx, name -> faulty.path(real(name)));
            committing = true;
            tx.commit();
        }
    }

    private void crashCommitAt(Scenario s, int k) throws IOException {
        reset(s);
        faulty.crashAt(k);
        try {
            commit(s);
        } catch (FaultyFileSystem.SimulatedCrash crashed) {
            // the process "died" at call k
        }
        faulty.crashAt(0);
    }

    private RecoveryReport recover() throws IOException {
        return FileTransaction.recover(faulty.path(journals));
    }

    /** The calls an undisturbed recovery of the current state makes (it is then undone by the caller). */
    private int countRecoveryCalls() throws IOException {
        faulty.failAt(0);
        recover();
        return faulty.calls();
    }

    /** Every root's files and folders, as "root/name" → content. */
    private Map<String, String> state() throws IOException {
        Map<String, String> state = new TreeMap<>();
        for (Map.Entry<String, Path> root : roots.entrySet()) {
            TxFiles.state(root.getValue()).forEach((name, content) -> state.put(root.getKey() + "/" + name, content));
        }
        return state;
    }

    /** Asserts before-or-after, no hidden file and no journal; 0 for before, 1 for after. */
    private int checkBeforeOrAfter(Scenario s, String when) throws IOException {
        assertThat(TxFiles.journals(journals)).as(when + ": journals left").isEmpty();
        for (Path root : roots.values()) {
            assertThat(TxFiles.hiddenLeftovers(root)).as(when + ": hidden files left").isEmpty();
        }
        Map<String, String> now = state();
        if (now.equals(s.before())) {
            return 0;
        }
        assertThat(now).as(when + ": neither before nor after").isEqualTo(s.after());
        return 1;
    }
}
