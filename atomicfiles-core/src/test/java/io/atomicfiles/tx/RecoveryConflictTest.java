package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file changed by someone else between a crash and recovery: recovery reports it as a
 * conflict and leaves it as that someone left it, and finishes everything else.
 */
class RecoveryConflictTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();
    private Path dir;
    private Path journals;

    @BeforeEach
    void setUp() throws IOException {
        dir = root.resolve("files");
        journals = root.resolve("journals");
    }

    private void reset() throws IOException {
        faulty.failAt(0);
        TxFiles.empty(dir);
        TxFiles.empty(journals);
        TxFiles.write(dir, Map.of("a.txt", "a", "b.txt", "b", "src.txt", "source", "m.txt", "moving", "d.txt", "d"));
    }

    /** Five operations, through the faulty filesystem. */
    private void commit() throws IOException {
        TransactionOptions options = TransactionOptions.builder().journalDir(faulty.path(journals))
                .showProgress(false).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(faulty.path(dir.resolve("a.txt")), "new a", ContentType.TEXT);
            tx.addWrite(faulty.path(dir.resolve("b.txt")), "new b", ContentType.TEXT);
            tx.addCopy(faulty.path(dir.resolve("src.txt")), faulty.path(dir.resolve("c.txt")));
            tx.addMove(faulty.path(dir.resolve("m.txt")), faulty.path(dir.resolve("n.txt")));
            tx.addDelete(faulty.path(dir.resolve("d.txt")));
            tx.commit();
        }
    }

    /** The number of the call, in an undisturbed run, whose log line ends with {@code suffix}. */
    private int callEndingWith(String suffix) throws IOException {
        reset();
        faulty.record(true);
        commit();
        faulty.record(false);
        List<String> calls = faulty.log();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith((i + 1) + " move ") && calls.get(i).endsWith(suffix)) {
                return i + 1;
            }
        }
        throw new AssertionError("no call ending with " + suffix + " in " + calls);
    }

    private void crashAt(int k) throws IOException {
        reset();
        faulty.crashAt(k);
        try {
            commit();
        } catch (FaultyFileSystem.SimulatedCrash crashed) {
            // the process "died" at call k, after the commit point
        }
        faulty.crashAt(0);
    }

    /**
     * Someone else's change: a new file in place of the old one. (Not a write into the old file:
     * until its rename, a target's backup is a hard link to it, and an in-place write would change
     * both.)
     */
    private void replace(String name, String content) throws IOException {
        Files.delete(dir.resolve(name));
        Files.writeString(dir.resolve(name), content);
    }

    private static Map<String, String> map(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void aTargetChangedBeforeTheRollForwardIsReportedAndNotOverwritten() throws IOException {
        // The crash comes as b.txt's new content is about to be renamed into place.
        crashAt(callEndingWith(" -> b.txt"));
        replace("b.txt", "theirs");

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.transactions()).hasSize(1);
        RecoveryReport.Transaction recovered = report.transactions().get(0);
        assertThat(recovered.outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(recovered.conflicts()).hasSize(1);
        assertThat(recovered.conflicts().get(0)).contains(dir.resolve("b.txt").toString(), "not overwritten");
        assertThat(report.hasConflicts()).isTrue();
        assertThat(report.toString()).contains("CONFLICT");
        assertThat(TxFiles.state(dir)).isEqualTo(map("a.txt", "new a", "a.txt.backup", "a", "b.txt", "theirs",
                "b.txt.backup", "b", "src.txt", "source", "c.txt", "source", "n.txt", "moving",
                "d.txt.deleted_backup", "d"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aMoveSourceChangedBeforeTheRollForwardIsReportedAndNotMoved() throws IOException {
        crashAt(callEndingWith(" -> n.txt"));
        replace("m.txt", "changed meanwhile");

        RecoveryReport report = FileTransaction.recover(journals);

        assertThat(report.transactions().get(0).outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_FORWARD);
        assertThat(report.transactions().get(0).conflicts()).singleElement().asString()
                .contains(dir.resolve("m.txt").toString());
        assertThat(TxFiles.state(dir)).isEqualTo(map("a.txt", "new a", "a.txt.backup", "a", "b.txt", "new b",
                "b.txt.backup", "b", "src.txt", "source", "c.txt", "source", "m.txt", "changed meanwhile",
                "d.txt.deleted_backup", "d"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void aTargetChangedBeforeAnInterruptedUndoIsFinishedIsReportedAndLeftAlone() throws IOException {
        // The rename of the copy fails; the undo that follows dies at its first rename. a.txt and
        // b.txt hold the new content then, and someone changes a.txt before recovery.
        int failing = callEndingWith(" -> c.txt");
        reset();
        faulty.record(true);
        faulty.failAt(failing);
        try {
            commit();
        } catch (IOException expected) {
            // undone in place
        }
        List<String> calls = faulty.log();
        int firstUndoRename = -1;
        for (int i = failing; i < calls.size(); i++) {
            if (calls.get(i).startsWith((i + 1) + " move ")) {
                firstUndoRename = i + 1 - failing;
                break;
            }
        }
        faulty.record(false);
        assertThat(firstUndoRename).isPositive();

        reset();
        int crashAt = firstUndoRename;
        faulty.failWith(() -> {
            faulty.crashAt(crashAt);
            return new IOException("injected fault");
        });
        faulty.failAt(failing);
        try {
            commit();
        } catch (FaultyFileSystem.SimulatedCrash crashed) {
            // the undo "died"
        } finally {
            faulty.failWith(() -> new IOException("injected fault"));
            faulty.failAt(0);
        }
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("new a");
        replace("a.txt", "theirs");

        RecoveryReport report = FileTransaction.recover(journals);

        RecoveryReport.Transaction recovered = report.transactions().get(0);
        assertThat(recovered.outcome()).isEqualTo(RecoveryReport.Outcome.ROLLED_BACK);
        assertThat(recovered.conflicts()).singleElement().asString().contains(dir.resolve("a.txt").toString());
        assertThat(TxFiles.state(dir)).isEqualTo(map("a.txt", "theirs", "b.txt", "b", "src.txt", "source",
                "m.txt", "moving", "d.txt", "d"));
        assertThat(TxFiles.journals(journals)).isEmpty();
    }
}
