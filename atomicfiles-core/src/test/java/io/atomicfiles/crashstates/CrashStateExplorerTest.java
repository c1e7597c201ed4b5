package io.atomicfiles.crashstates;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.WriteBatch;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.crashstates.Explorer.Operation;
import io.atomicfiles.crashstates.Explorer.Result;
import io.atomicfiles.crashstates.Explorer.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss where LazyFS cannot look: lost names. LazyFS never loses a create, a rename or an
 * unlink, so it cannot catch a missing folder fsync; this explorer can. It records the filesystem
 * changes of public operations (through {@code FaultyFileSystem}, {@link Recording}), enumerates
 * the states a power loss may leave after each prefix of them under the POSIX model
 * ({@link CrashStates}: unsynced data and unsynced changes of names each lost or kept,
 * independently), puts each state on disk, runs recovery as a user would after a restart
 * ({@code FileTransaction.recover} of the journal folder, {@code AtomicFiles.sweepStaleTempFiles}
 * of each folder), and checks ({@link Expected}):
 * <ul>
 *   <li>every acknowledged operation is there (the files are as they were when it returned);</li>
 *   <li>an operation in flight is there whole or not at all: all old or all new, across every
 *       file of a transaction;</li>
 *   <li>nothing is left over: no temp file, no hidden transaction file, no journal.</li>
 * </ul>
 * A power cut during that recovery is explored too. The counts of states are printed per
 * operation ({@code RELIABILITY.md} quotes them). The last test proves the explorer can fail: with
 * the folder fsyncs dropped (a defect injected into the filesystem), it finds acknowledged writes
 * lost.
 */
class CrashStateExplorerTest {
    /** Crash states of the transactions whose recovery is itself cut by a power loss and explored. */
    private static final int RECOVERIES_EXPLORED = 8;

    @TempDir
    Path tempDir;

    private Explorer explorer;

    @BeforeEach
    void folder() throws IOException {
        explorer = new Explorer(tempDir);
    }

    @AfterEach
    void cleanUp() throws IOException {
        explorer.close();
    }

    @Test
    void singleWritesRecoverToTheAcknowledgedVersionOrTheOneInFlight() throws IOException {
        Recording recording = explorer.record(Map.of("a.json", "{\"v\":1}"), List.of(
                (path, journals) -> AtomicFiles.writeText(path.apply("a.json"), "{\"v\":2}"),
                (path, journals) -> AtomicFiles.writeText(path.apply("a.json"), "{\"v\":3}"),
                (path, journals) -> AtomicFiles.writeText(path.apply("new/b.txt"), "b"),
                (path, journals) -> AtomicFiles.writeBytes(path.apply("c.bin"), new byte[5000],
                        WriteOptions.builder().createNew(true).build())));
        Result result = explorer.explore("single writes (FULL, backups)", recording,
                state -> Expected.of(recording, state, false), false);
        assertThat(result.violations()).isEmpty();
    }

    @Test
    void copiesAndMovesRecoverToTheAcknowledgedStateOrTheOneInFlight() throws IOException {
        Recording recording = explorer.record(Map.of("a.json", "{\"v\":1}", "d.txt", "old d"), List.of(
                (path, journals) -> AtomicFiles.copy(path.apply("a.json"), path.apply("d.txt")),
                (path, journals) -> AtomicFiles.move(path.apply("d.txt"), path.apply("sub/e.txt")),
                (path, journals) -> AtomicFiles.move(path.apply("sub/e.txt"), path.apply("a.json"))));
        Result result = explorer.explore("copy, move to a new folder, move over a file (FULL, backups)", recording,
                state -> Expected.of(recording, state, false), false);
        assertThat(result.violations()).isEmpty();
    }

    /**
     * Every crash state of two transactions recovers to all old or all new, the acknowledged one
     * kept, and nothing is left over: the clean-up's removals (keeps, stages, empty folders the
     * transaction made) are forced before the journal is deleted, so a power cut cannot keep the
     * journal's removal and lose theirs (hidden {@code .NAME.tx-...} files no journal names any
     * more would stay for ever).
     */
    @Test
    void transactionsRecoverToAllOldOrAllNew() throws IOException {
        Recording recording = recordTransactions();
        Result result = explorer.explore("transactions of 3 files (FULL, backups)", recording,
                state -> Expected.of(recording, state, true), false);
        assertThat(result.violations()).as("lost, mixed or left over").isEmpty();
    }

    /**
     * Issue 11, W3: a transaction whose clean-up removes no name (every target new, in the root
     * and in a folder it makes, or a replaced file's keep becoming its first backup) skips the
     * folder fsync after the clean-up; one that replaces a file with a backup removes the old
     * backup's keep from one folder and nothing from the other, and forces only the first.
     * Every crash state still recovers to all old or all new with nothing left over: where the
     * fsync is skipped, the renames' fsync already made every change in the folder durable.
     */
    @Test
    void transactionsWhoseCleanUpRemovesNothingRecoverToAllOldOrAllNew() throws IOException {
        List<Operation> operations = List.of((path, journals) -> commit(journals, tx -> {
            tx.addWrite(path.apply("n1.txt"), "n1", ContentType.TEXT);
            tx.addWrite(path.apply("n2.txt"), "n2", ContentType.TEXT);
            tx.addWrite(path.apply("made/n3.txt"), "n3", ContentType.TEXT);
        }), (path, journals) -> commit(journals, tx -> {
            tx.addWrite(path.apply("n1.txt"), "n1 again", ContentType.TEXT); // its keep becomes n1.txt.backup
            tx.addWrite(path.apply("made/n4.txt"), "n4", ContentType.TEXT);
        }), (path, journals) -> commit(journals, tx -> {
            tx.addWrite(path.apply("n1.txt"), "n1 third", ContentType.TEXT); // the old backup's keep is removed
            tx.addWrite(path.apply("made/n5.txt"), "n5", ContentType.TEXT);
        }));
        Recording recording = explorer.record(Map.of(), operations);
        Result result = explorer.explore("transactions of new files, then replacing (FULL, backups)", recording,
                state -> Expected.of(recording, state, true), false);
        assertThat(result.violations()).as("lost, mixed or left over").isEmpty();
    }

    /**
     * Issue 8 item 16: the journal folder a transaction makes on first use ({@code journalDir}
     * that does not exist yet) is forced into its parent before the journal in it is relied on;
     * else a power cut may lose the folder, and with it the journal of a half-applied transaction.
     */
    @Test
    void aJournalFolderMadeByTheFirstTransactionSurvivesAPowerCut() throws IOException {
        explorer.close();
        explorer = new Explorer(tempDir, false);
        Recording recording = recordTransactions();
        Result result = explorer.explore("transactions of 3 files, journal folder made by the first (FULL, backups)",
                recording, state -> Expected.of(recording, state, true), false);
        assertThat(result.violations()).as("lost, mixed or left over").isEmpty();
    }

    /**
     * A power cut during recovery: for crash states of the transactions that leave a journal
     * (spread over the crash points), the recovery is recorded and its own crash states are
     * explored; recovering again must give what the first recovery had to give.
     */
    @Test
    void aPowerCutDuringRecoveryRecoversToTheSameOutcome() throws IOException {
        Recording recording = recordTransactions();
        List<CrashStates.State> withJournal = CrashStates.enumerate(recording, Explorer.SEED).states().stream()
                .filter(s -> s.names().keySet().stream().anyMatch(p -> p.toString().endsWith(".journal")))
                .toList();
        int events = 0;
        int states = 0;
        List<Violation> violations = new ArrayList<>();
        int step = Math.max(1, withJournal.size() / RECOVERIES_EXPLORED);
        int explored = 0;
        for (int i = 0; i < withJournal.size() && explored < RECOVERIES_EXPLORED; i += step, explored++) {
            CrashStates.State first = withJournal.get(i);
            Expected expected = Expected.of(recording, first, true);
            CrashStates.materialise(first, explorer.root);
            Recording recovery = explorer.recordRecovery();
            Result result = explorer.explore("recovery of the state after event " + first.prefix(), recovery,
                    second -> expected, true);
            events += result.events();
            states += result.states();
            violations.addAll(result.violations());
        }
        System.out.printf("CrashStateExplorerTest: power cut during recovery: %d recoveries (of %d crash states "
                + "with a journal), %d filesystem events, %d distinct crash states explored, %d violations%n",
                explored, withJournal.size(), events, states, violations.size());
        assertThat(explored).isPositive();
        assertThat(violations).as("lost, mixed or left over").isEmpty();
    }

    /**
     * Issue 11, group commit: every crash state of two write batches (files in the root and in a
     * folder the first batch makes; the second replacing them all, with backups) recovers with
     * each file as acknowledged or as the batch in flight wrote it, whatever the others are (a
     * batch is not all-or-nothing across files), no backup lost, and no temp file left after the
     * sweep. The folders are forced once per batch, after all its renames.
     */
    @Test
    void writeBatchesRecoverEachFileToItsAcknowledgedOrNewVersion() throws IOException {
        Recording recording = recordBatches();
        Result result = explorer.explore("write batches of 3 files (FULL, backups)", recording,
                state -> Expected.ofBatches(recording, state), false);
        assertThat(result.violations()).as("lost, torn or left over").isEmpty();
    }

    /** The batch scenario can fail: with the folder fsyncs dropped, acknowledged files are lost. */
    @Test
    void theExplorerFindsLostBatchWritesWhenFolderFsyncsAreDropped() throws IOException {
        explorer.faulty.dropForce(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
        Recording recording = recordBatches();
        Result result = explorer.explore("write batches with every folder fsync dropped (a defect injected)",
                recording, state -> Expected.ofBatches(recording, state), false);
        assertThat(result.lostOrMixed()).as("acknowledged batch writes lost with the folder fsyncs dropped")
                .anySatisfy(v -> assertThat(v.state().inFlight()).isFalse());
    }

    @Test
    void theExplorerFindsLostWritesWhenFolderFsyncsAreDropped() throws IOException {
        explorer.faulty.dropForce(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
        Recording recording = explorer.record(Map.of("a.json", "{\"v\":1}"), List.of(
                (path, journals) -> AtomicFiles.writeText(path.apply("a.json"), "{\"v\":2}"),
                (path, journals) -> AtomicFiles.writeText(path.apply("new/b.txt"), "b")));
        Result result = explorer.explore("single writes with every folder fsync dropped (a defect injected)",
                recording, state -> Expected.of(recording, state, false), false);
        assertThat(result.lostOrMixed()).as("acknowledged writes lost with the folder fsyncs dropped")
                .anySatisfy(v -> assertThat(v.state().inFlight()).isFalse());
    }

    // ---- the scenarios ----

    private Recording recordTransactions() throws IOException {
        List<Operation> operations = List.of((path, journals) -> commit(journals, tx -> {
            tx.addWrite(path.apply("a.txt"), "a2", ContentType.TEXT);
            tx.addWrite(path.apply("b.txt"), "b2", ContentType.TEXT);
            tx.addWrite(path.apply("sub/c.txt"), "c2", ContentType.TEXT);
        }), (path, journals) -> commit(journals, tx -> {
            tx.addWrite(path.apply("a.txt"), "a3", ContentType.TEXT);
            tx.addDelete(path.apply("b.txt"));
            tx.addMove(path.apply("sub/c.txt"), path.apply("c.txt"));
        }));
        return explorer.record(Map.of("a.txt", "a1", "b.txt", "b1"), operations);
    }

    private Recording recordBatches() throws IOException {
        List<Operation> operations = List.of(
                (path, journals) -> batch(path, Map.of("a.txt", "a2", "b.txt", "b2", "made/c.txt", "c2")),
                (path, journals) -> batch(path, Map.of("a.txt", "a3", "b.txt", "b3", "made/c.txt", "c3")));
        return explorer.record(Map.of("a.txt", "a1", "b.txt", "b1"), operations);
    }

    private static void batch(Function<String, Path> path, Map<String, String> files) throws IOException {
        WriteOptions options = WriteOptions.defaults().toBuilder().showProgress(false).build();
        try (WriteBatch batch = AtomicFiles.batch(options)) {
            for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
                batch.addWrite(path.apply(file.getKey()), file.getValue(), ContentType.TEXT);
            }
            batch.commit();
        }
    }

    private interface TxBody {
        void add(FileTransaction tx) throws IOException;
    }

    private static void commit(Path journals, TxBody body) throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            body.add(tx);
            tx.commit();
        }
    }
}
