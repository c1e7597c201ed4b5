package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failure while applying operation i, for every i of a mix of nine operations: commit() throws
 * an AtomicWriteException naming operation i, and every file is exactly as before, present or
 * absent, byte for byte, with no hidden file and no journal left, without any recovery.
 */
class TransactionRollbackTest {
    @TempDir
    Path root;

    private final FaultyFileSystem faulty = FaultyFileSystem.overDefault();

    private static Map<String, String> before() {
        Map<String, String> files = new TreeMap<>();
        files.put("a.json", "{}");
        files.put("a.json.backup", "older a");
        files.put("b.yaml", "b: 0\n");
        files.put("src.txt", "source");
        files.put("dst.txt", "old dst");
        files.put("moveme.txt", "moving");
        files.put("over.txt", "old over");
        files.put("old.txt", "old");
        files.put("old2.txt", "old 2");
        files.put("old2.txt.deleted_backup", "older 2");
        return files;
    }

    /** Nine operations of every kind; {@code p} turns a name into a path. */
    private static List<String> addMix(FileTransaction tx, Function<String, Path> p) throws IOException {
        tx.addWrite(p.apply("a.json"), Map.of("v", 1), ContentType.JSON);
        tx.addWrite(p.apply("b.yaml"), Map.of("b", 1), ContentType.YAML);
        tx.addWrite(p.apply("new/deep/c.txt"), "c", ContentType.TEXT);
        tx.addWrite(p.apply("d.bin"), new byte[] {0, 1, 2}, ContentType.BYTES);
        tx.addCopy(p.apply("src.txt"), p.apply("dst.txt"));
        tx.addMove(p.apply("moveme.txt"), p.apply("over.txt"));
        tx.addMove(p.apply("src.txt"), p.apply("moved/src.txt"));
        tx.addDelete(p.apply("old.txt"));
        tx.addDelete(p.apply("old2.txt"));
        return tx.describe();
    }

    private TransactionOptions options(boolean backup, Path journals, ProgressListener listener) {
        return TransactionOptions.builder().journalDir(journals).showProgress(listener != null).backup(backup)
                .progressListener(listener).build();
    }

    /**
     * With the faulty filesystem: the apply step's renames are found in the calls of an
     * undisturbed run; each one fails in turn, so every operation (and, with backups, its
     * backup's rename too) fails once.
     */
    @ParameterizedTest(name = "backup {0}")
    @ValueSource(booleans = {true, false})
    void aFailedRenameOfAnyOperationRestoresEveryFile(boolean backup) throws IOException {
        Path dir = root.resolve("files");
        Path journals = root.resolve("journals");
        TxFiles.empty(dir);
        TxFiles.write(dir, before());
        TxFiles.empty(journals);
        faulty.record(true);
        faulty.failAt(0);
        List<String> operations;
        try (FileTransaction tx = new FileTransaction(options(backup, faulty.path(journals), null))) {
            operations = addMix(tx, name -> faulty.path(dir.resolve(name)));
            tx.commit();
        }
        List<String> calls = faulty.log();
        faulty.record(false);
        List<Integer> renames = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith((i + 1) + " move ")) {
                renames.add(i + 1);
            }
        }
        assertThat(renames.size()).isGreaterThanOrEqualTo(operations.size());

        List<String> failedOperations = new ArrayList<>();
        Map<String, String> expected = TxFiles.state(beforeFolder(root.resolve("expected")));
        for (int k : renames) {
            TxFiles.empty(dir);
            TxFiles.write(dir, before());
            TxFiles.empty(journals);
            faulty.failAt(k);
            try (FileTransaction tx = new FileTransaction(options(backup, faulty.path(journals), null))) {
                addMix(tx, name -> faulty.path(dir.resolve(name)));
                AtomicWriteException failure = (AtomicWriteException) catchCommit(tx);
                String failed = operations.stream().filter(o -> failure.getMessage().contains("apply " + o))
                        .findFirst().orElseThrow(() -> new AssertionError(
                                "the failure names no operation: " + failure.getMessage()));
                failedOperations.add(failed);
            } finally {
                faulty.failAt(0);
            }
            String when = "rename at call " + calls.get(k - 1) + " failed";
            assertThat(TxFiles.state(dir)).as(when).isEqualTo(expected);
            assertThat(TxFiles.journals(journals)).as(when).isEmpty();
        }
        assertThat(failedOperations).as("every operation failed once").containsAll(operations);
        System.out.printf("backup %s: %d renames failed in turn, %d operations, each rolled back%n", backup,
                renames.size(), operations.size());
    }

    /**
     * On the real filesystem: as operation i is about to be applied, someone puts a folder
     * with a file in it where the operation (or its backup) must put a file. The rename fails,
     * everything is undone, and the only difference from before is that folder.
     */
    @ParameterizedTest(name = "operation {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void anImpossibleTargetOfAnyOperationRestoresEveryFile(int op) throws IOException {
        Path dir = root.resolve("files");
        Path journals = root.resolve("journals");
        // Where each operation first puts a file: its backup (existing targets, backups on), its
        // target (new files), its deleted backup (deletes).
        String[] obstacle = {"a.json.backup", "b.yaml.backup", "new/deep/c.txt", "d.bin", "dst.txt.backup",
                "over.txt.backup", "moved/src.txt", "old.txt.deleted_backup", "old2.txt.deleted_backup"};
        // a.json.backup and old2.txt.deleted_backup exist as files: for the test of their
        // operation they are absent, so that a folder can take their place.
        Map<String, String> files = before();
        files.remove(obstacle[op]);
        TxFiles.empty(dir);
        TxFiles.write(dir, files);
        Map<String, String> expected = new TreeMap<>(TxFiles.state(dir));

        String note = "apply " + (op + 1) + " of ";
        Path blocked = dir.resolve(obstacle[op]);
        ProgressListener saboteur = new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith(note) && !Files.exists(blocked)) {
                    try {
                        Files.createDirectories(blocked);
                        Files.writeString(blocked.resolve("theirs.txt"), "theirs");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        List<String> operations;
        try (FileTransaction tx = new FileTransaction(options(true, journals, saboteur))) {
            operations = addMix(tx, dir::resolve);
            Exception failure = catchCommit(tx);
            assertThat(failure).isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("apply " + operations.get(op));
        }
        for (Path p = blocked; !p.equals(dir); p = p.getParent()) {
            expected.put(dir.relativize(p) + "/", "");
        }
        expected.put(dir.relativize(blocked.resolve("theirs.txt")).toString(), "theirs");
        assertThat(TxFiles.state(dir)).isEqualTo(expected);
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    private static Exception catchCommit(FileTransaction tx) {
        Exception[] thrown = new Exception[1];
        assertThatThrownBy(() -> {
            try {
                tx.commit();
            } catch (Exception e) {
                thrown[0] = e;
                throw e;
            }
        }).isInstanceOf(AtomicWriteException.class);
        return thrown[0];
    }

    private static Path beforeFolder(Path folder) throws IOException {
        TxFiles.empty(folder);
        TxFiles.write(folder, before());
        return folder;
    }
}
