package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.IOConsumer;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of operation alone and all of them mixed, with backups on and off, at every
 * durability; validation of the plan before anything is touched; the life cycle of a
 * transaction (rollback, close, commit twice, empty). Every test compares the whole folder,
 * file by file and byte by byte, with the state it must have.
 */
class TransactionOperationsTest {
    private static final byte[] BINARY = new byte[300];

    static {
        new Random(7).nextBytes(BINARY);
    }

    @TempDir
    Path root;
    @TempDir
    Path journals;

    private Path dir;

    static Stream<Arguments> backupAndDurability() {
        List<Arguments> all = new ArrayList<>();
        for (boolean backup : new boolean[] {true, false}) {
            for (Durability durability : Durability.values()) {
                all.add(Arguments.of(backup, durability));
            }
        }
        return all.stream();
    }

    private TransactionOptions options(boolean backup, Durability durability) {
        return TransactionOptions.builder().journalDir(journals).showProgress(false).backup(backup)
                .durability(durability).build();
    }

    /** Commits {@code ops} over {@code before} in a fresh folder and checks the folder is then {@code after}. */
    private void check(String name, boolean backup, Durability durability, Map<String, String> before,
            IOConsumer<FileTransaction> ops, Map<String, String> after) throws IOException {
        dir = root.resolve(name + "-" + backup + "-" + durability);
        TxFiles.empty(dir);
        TxFiles.write(dir, before);
        try (FileTransaction tx = new FileTransaction(options(backup, durability))) {
            ops.accept(tx);
            tx.commit();
        }
        assertThat(TxFiles.state(dir)).as(name + " (backup " + backup + ", " + durability + ")")
                .containsExactlyEntriesOf(new TreeMap<>(after));
        assertThat(TxFiles.journals(journals)).as("journals left").isEmpty();
    }

    private static Map<String, String> map(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** {@code base} plus the {@code extra} entries when {@code when} holds. */
    private static Map<String, String> plusIf(boolean when, Map<String, String> base, String... extra) {
        Map<String, String> m = new TreeMap<>(base);
        if (when) {
            m.putAll(map(extra));
        }
        return m;
    }

    @ParameterizedTest(name = "backup {0}, {1}")
    @MethodSource("backupAndDurability")
    void writesEachContentTypeOverAnOldFileAndToNewNestedFolders(boolean backup, Durability durability)
            throws IOException {
        Map<String, String> before = map("a.json", "{}", "b.yaml", "old: 1\n", "c.txt", "old text", "d.bin", "old");
        check("json", backup, durability, before,
                tx -> tx.addWrite(dir.resolve("a.json"), Map.of("a", 1), ContentType.JSON),
                plusIf(backup, map("a.json", "{\n  \"a\": 1\n}\n", "b.yaml", "old: 1\n", "c.txt", "old text",
                        "d.bin", "old"), "a.json.backup", "{}"));
        check("yaml", backup, durability, before,
                tx -> tx.addWrite(dir.resolve("b.yaml"), Map.of("b", "x"), ContentType.YAML),
                plusIf(backup, map("a.json", "{}", "b.yaml", "b: x\n", "c.txt", "old text", "d.bin", "old"),
                        "b.yaml.backup", "old: 1\n"));
        check("text", backup, durability, before,
                tx -> tx.addWrite(dir.resolve("c.txt"), "nouveau texte \u2713", ContentType.TEXT),
                plusIf(backup, map("a.json", "{}", "b.yaml", "old: 1\n", "c.txt", "nouveau texte \u2713",
                        "d.bin", "old"), "c.txt.backup", "old text"));
        check("bytes", backup, durability, before,
                tx -> tx.addWrite(dir.resolve("d.bin"), BINARY, ContentType.BYTES),
                plusIf(backup, map("a.json", "{}", "b.yaml", "old: 1\n", "c.txt", "old text",
                        "d.bin", TxFiles.describe(BINARY)), "d.bin.backup", "old"));
        check("nested", backup, durability, map("keep.txt", "k"),
                tx -> tx.addWrite(dir.resolve("n1/n2/new.txt"), "new", ContentType.TEXT),
                map("keep.txt", "k", "n1/", "", "n1/n2/", "", "n1/n2/new.txt", "new"));
    }

    @ParameterizedTest(name = "backup {0}, {1}")
    @MethodSource("backupAndDurability")
    void copiesMovesAndDeletesAlone(boolean backup, Durability durability) throws IOException {
        Map<String, String> before = map("src.txt", "source", "dst.txt", "old dst", "other.txt", "other");
        check("copy-over", backup, durability, before,
                tx -> tx.addCopy(dir.resolve("src.txt"), dir.resolve("dst.txt")),
                plusIf(backup, map("src.txt", "source", "dst.txt", "source", "other.txt", "other"),
                        "dst.txt.backup", "old dst"));
        check("copy-new", backup, durability, before,
                tx -> tx.addCopy(dir.resolve("src.txt"), dir.resolve("deep/er/copy.txt")),
                map("src.txt", "source", "dst.txt", "old dst", "other.txt", "other", "deep/", "", "deep/er/", "",
                        "deep/er/copy.txt", "source"));
        check("move-over", backup, durability, before,
                tx -> tx.addMove(dir.resolve("src.txt"), dir.resolve("dst.txt")),
                plusIf(backup, map("dst.txt", "source", "other.txt", "other"), "dst.txt.backup", "old dst"));
        check("move-new", backup, durability, before,
                tx -> tx.addMove(dir.resolve("src.txt"), dir.resolve("sub/moved.txt")),
                map("dst.txt", "old dst", "other.txt", "other", "sub/", "", "sub/moved.txt", "source"));
        check("delete", backup, durability, before,
                tx -> tx.addDelete(dir.resolve("dst.txt")),
                plusIf(backup, map("src.txt", "source", "other.txt", "other"), "dst.txt.deleted_backup", "old dst"));
    }

    @ParameterizedTest(name = "backup {0}, {1}")
    @MethodSource("backupAndDurability")
    void mixesEveryKindInOneTransaction(boolean backup, Durability durability) throws IOException {
        Map<String, String> before = map("a.json", "{}", "a.json.backup", "older", "b.yaml", "old: 1\n",
                "src.txt", "source", "moveme.txt", "moving", "old.txt", "old", "old.txt.deleted_backup", "older old",
                "dst.txt", "old dst");
        Map<String, String> after = map("a.json", "{\n  \"v\": 2\n}\n", "b.yaml", "b: x\n", "new.txt", "new",
                "n/", "", "n/bytes.bin", TxFiles.describe(BINARY), "src.txt", "source", "copy.txt", "source",
                "dst.txt", "moving", "a.json.backup", "older", "old.txt.deleted_backup", "older old");
        if (backup) {
            after.putAll(map("a.json.backup", "{}", "b.yaml.backup", "old: 1\n", "dst.txt.backup", "old dst",
                    "old.txt.deleted_backup", "old"));
        }
        check("mixed", backup, durability, before, tx -> {
            tx.addWrite(dir.resolve("a.json"), Map.of("v", 2), ContentType.JSON);
            tx.addWrite(dir.resolve("b.yaml"), Map.of("b", "x"), ContentType.YAML);
            tx.addWrite(dir.resolve("new.txt"), "new", ContentType.TEXT);
            tx.addWrite(dir.resolve("n/bytes.bin"), BINARY, ContentType.BYTES);
            tx.addCopy(dir.resolve("src.txt"), dir.resolve("copy.txt"));
            tx.addMove(dir.resolve("moveme.txt"), dir.resolve("dst.txt"));
            tx.addDelete(dir.resolve("old.txt"));
        }, after);
    }

    @Test
    void aCopyReadsItsSourceAsItWasBeforeTheTransaction() throws IOException {
        // The copy is staged before any rename: it gets the source's old bytes, whatever the
        // order in which the operations were added.
        check("copy-before-write", true, Durability.FULL, map("s.txt", "old s"), tx -> {
            tx.addWrite(dir.resolve("s.txt"), "new s", ContentType.TEXT);
            tx.addCopy(dir.resolve("s.txt"), dir.resolve("c.txt"));
        }, map("s.txt", "new s", "s.txt.backup", "old s", "c.txt", "old s"));
        check("copy-then-delete", false, Durability.FULL, map("s.txt", "old s"), tx -> {
            tx.addDelete(dir.resolve("s.txt"));
            tx.addCopy(dir.resolve("s.txt"), dir.resolve("c.txt"));
        }, map("c.txt", "old s"));
    }

    // ---- validation before anything is touched ----

    private Map<String, String> validationFolder() throws IOException {
        dir = root.resolve("validation");
        TxFiles.empty(dir);
        Files.createDirectories(dir.resolve("folder"));
        TxFiles.write(dir, map("a.json", "{}", "b.txt", "b", "folder/inside.txt", "i"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("folder"));
        return TxFiles.state(dir);
    }

    /**
     * Adds a valid write, then {@code prelude}, then {@code invalid}, which must throw
     * {@code expected} naming {@code mentioned}: the transaction keeps its operations, nothing on
     * disk changed, no journal was made, and closing the transaction changes nothing either.
     */
    private void refused(IOConsumer<FileTransaction> prelude, IOConsumer<FileTransaction> invalid,
            Class<? extends Exception> expected, String mentioned) throws IOException {
        Map<String, String> before = validationFolder();
        try (FileTransaction tx = new FileTransaction(options(true, Durability.FULL))) {
            tx.addWrite(dir.resolve("valid.txt"), "valid", ContentType.TEXT);
            prelude.accept(tx);
            List<String> operations = tx.describe();
            assertThatThrownBy(() -> invalid.accept(tx)).isInstanceOf(expected).hasMessageContaining(mentioned);
            assertThat(tx.describe()).isEqualTo(operations);
            assertThat(TxFiles.state(dir)).isEqualTo(before);
            assertThat(TxFiles.journals(journals)).isEmpty();
        }
        assertThat(TxFiles.state(dir)).isEqualTo(before);
    }

    private void refused(IOConsumer<FileTransaction> invalid, Class<? extends Exception> expected, String mentioned)
            throws IOException {
        refused(tx -> { }, invalid, expected, mentioned);
    }

    @Test
    void aRefusedOperationLeavesTheOthersToCommit() throws IOException {
        Map<String, String> before = validationFolder();
        try (FileTransaction tx = new FileTransaction(options(true, Durability.FULL))) {
            tx.addWrite(dir.resolve("valid.txt"), "valid", ContentType.TEXT);
            assertThatThrownBy(() -> tx.addDelete(dir.resolve("nope.txt"))).isInstanceOf(AtomicWriteException.class);
            assertThatThrownBy(() -> tx.addWrite(dir.resolve("valid.txt"), "again", ContentType.TEXT))
                    .isInstanceOf(AtomicWriteException.class);
            tx.addDelete(dir.resolve("b.txt"));
            tx.commit();
        }
        Map<String, String> after = new TreeMap<>(before);
        after.remove("b.txt");
        after.put("b.txt.deleted_backup", "b");
        after.put("valid.txt", "valid");
        assertThat(TxFiles.state(dir)).isEqualTo(after);
    }

    @Test
    void schemaFailuresAreRefusedWhenAdded() throws IOException {
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("port"),
                "properties", Map.of("port", Map.of("type", "integer")));
        refused(tx -> tx.addWrite(dir.resolve("a.json"), Map.of("port", "eighty"), ContentType.JSON, schema),
                ValidationException.class, "a.json");
        refused(tx -> tx.addWrite(dir.resolve("c.yaml"), Map.of("host", "h"), ContentType.YAML, schema),
                ValidationException.class, "c.yaml");
        refused(tx -> tx.addWrite(dir.resolve("d.json"), "{\"port\": true}", ContentType.TEXT, schema),
                ValidationException.class, "d.json");
    }

    @Test
    void missingSourcesAndDeleteTargetsAreRefusedWhenAdded() throws IOException {
        refused(tx -> tx.addCopy(dir.resolve("nope.txt"), dir.resolve("c.txt")), AtomicWriteException.class,
                "nope.txt");
        refused(tx -> tx.addMove(dir.resolve("nope.txt"), dir.resolve("c.txt")), AtomicWriteException.class,
                "nope.txt");
        refused(tx -> tx.addDelete(dir.resolve("nope.txt")), AtomicWriteException.class, "nope.txt");
        try (FileTransaction tx = new FileTransaction(options(true, Durability.FULL))) {
            assertThatThrownBy(() -> tx.addDelete(dir.resolve("nope.txt"))).isInstanceOf(AtomicWriteException.class)
                    .hasMessageContaining("does not exist").hasCauseInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void twoOperationsOnOneFileAreRefused() throws IOException {
        refused(tx -> tx.addWrite(dir.resolve("a.json"), Map.of(), ContentType.JSON),
                tx -> tx.addDelete(dir.resolve("a.json")), AtomicWriteException.class, "one operation per file");
        refused(tx -> tx.addCopy(dir.resolve("b.txt"), dir.resolve("valid.txt")), AtomicWriteException.class,
                "valid.txt");
        refused(tx -> tx.addMove(dir.resolve("b.txt"), dir.resolve("m.txt")),
                tx -> tx.addWrite(dir.resolve("b.txt"), "x", ContentType.TEXT), AtomicWriteException.class, "b.txt");
        refused(tx -> tx.addMove(dir.resolve("b.txt"), dir.resolve("m.txt")),
                tx -> tx.addCopy(dir.resolve("a.json"), dir.resolve("m.txt")), AtomicWriteException.class, "m.txt");
        // The derived names: with backups on, a write owns NAME.backup and a delete NAME.deleted_backup.
        refused(tx -> tx.addWrite(dir.resolve("valid.txt.backup"), "x", ContentType.TEXT),
                AtomicWriteException.class, "valid.txt.backup");
        refused(tx -> tx.addDelete(dir.resolve("b.txt")),
                tx -> tx.addWrite(dir.resolve("b.txt.deleted_backup"), "x", ContentType.TEXT),
                AtomicWriteException.class, "b.txt.deleted_backup");
    }

    @Test
    void twoSpellingsOfOneFileAreOneFile() throws IOException {
        // A folder reached through a symbolic link ("link" → "folder"), and a path with "..".
        refused(tx -> tx.addWrite(dir.resolve("folder/inside.txt"), "one", ContentType.TEXT),
                tx -> tx.addWrite(dir.resolve("link/inside.txt"), "two", ContentType.TEXT),
                AtomicWriteException.class, "inside.txt");
        refused(tx -> tx.addWrite(dir.resolve("folder/../b.txt"), "one", ContentType.TEXT),
                tx -> tx.addDelete(dir.resolve("b.txt")), AtomicWriteException.class, "b.txt");
    }

    @Test
    void withBackupsOffAFileAndItsBackupNameAreTwoFiles() throws IOException {
        check("no-backup-names", false, Durability.FULL, map("a.txt", "a"), tx -> {
            tx.addWrite(dir.resolve("a.txt"), "new a", ContentType.TEXT);
            tx.addWrite(dir.resolve("a.txt.backup"), "mine", ContentType.TEXT);
        }, map("a.txt", "new a", "a.txt.backup", "mine"));
    }

    @Test
    void aFolderIsNeverATarget() throws IOException {
        refused(tx -> tx.addWrite(dir.resolve("folder"), "x", ContentType.TEXT), AtomicWriteException.class,
                "folder");
        refused(tx -> tx.addCopy(dir.resolve("b.txt"), dir.resolve("folder")), AtomicWriteException.class,
                "folder");
        refused(tx -> tx.addMove(dir.resolve("b.txt"), dir.resolve("folder")), AtomicWriteException.class,
                "folder");
        refused(tx -> tx.addDelete(dir.resolve("folder")), AtomicWriteException.class, "folder");
        refused(tx -> tx.addMove(dir.resolve("folder"), dir.resolve("x")), AtomicWriteException.class, "folder");
    }

    @Test
    void aSourceGoneBeforeCommitFailsTheCommitAndChangesNothing() throws IOException {
        Map<String, String> before = validationFolder();
        try (FileTransaction tx = new FileTransaction(options(true, Durability.FULL))) {
            tx.addWrite(dir.resolve("a.json"), Map.of("x", 1), ContentType.JSON);
            tx.addCopy(dir.resolve("b.txt"), dir.resolve("copy.txt"));
            Files.delete(dir.resolve("b.txt"));
            before.remove("b.txt");
            assertThatThrownBy(tx::commit).isInstanceOf(AtomicWriteException.class).hasMessageContaining("b.txt");
        }
        assertThat(TxFiles.state(dir)).isEqualTo(before);
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    // ---- life cycle ----

    @Test
    void rollbackAndCloseWithoutCommitTouchNothing() throws IOException {
        Map<String, String> before = validationFolder();
        FileTransaction rolledBack = new FileTransaction(options(true, Durability.FULL));
        rolledBack.addWrite(dir.resolve("a.json"), Map.of("x", 1), ContentType.JSON);
        rolledBack.addDelete(dir.resolve("b.txt"));
        rolledBack.addWrite(dir.resolve("new/n.txt"), "n", ContentType.TEXT);
        rolledBack.rollback();
        rolledBack.rollback(); // idempotent
        assertThat(TxFiles.state(dir)).isEqualTo(before);
        assertThatThrownBy(rolledBack::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> rolledBack.addDelete(dir.resolve("b.txt"))).isInstanceOf(IllegalStateException.class);
        rolledBack.close();

        try (FileTransaction closed = new FileTransaction(options(false, Durability.FULL))) {
            closed.addMove(dir.resolve("b.txt"), dir.resolve("moved.txt"));
            closed.addCopy(dir.resolve("a.json"), dir.resolve("c.json"));
        }
        assertThat(TxFiles.state(dir)).isEqualTo(before);
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    @Test
    void commitTwiceIsAnIllegalStateAndChangesNothingMore() throws IOException {
        validationFolder();
        FileTransaction tx = new FileTransaction(options(true, Durability.FULL));
        tx.addWrite(dir.resolve("b.txt"), "once", ContentType.TEXT);
        tx.commit();
        Map<String, String> afterFirst = TxFiles.state(dir);
        assertThat(afterFirst).containsEntry("b.txt", "once").containsEntry("b.txt.backup", "b");
        assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
        assertThatThrownBy(tx::rollback).isInstanceOf(IllegalStateException.class);
        tx.close();
        assertThat(TxFiles.state(dir)).isEqualTo(afterFirst);
    }

    @Test
    void anEmptyTransactionCommitsAsANoOp() throws IOException {
        Map<String, String> before = validationFolder();
        try (FileTransaction tx = new FileTransaction(options(true, Durability.FULL))) {
            tx.commit();
            assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(TxFiles.state(dir)).isEqualTo(before);
        try (Stream<Path> s = Files.list(journals)) {
            // The journal folder's own lock file (of the lock that serialises its scans) stays.
            assertThat(s.filter(p -> !p.getFileName().toString().equals(".atomicfiles.lock")).toList()).isEmpty();
        }
    }

    @Test
    void theIdIsTheOneGivenOrAFreshOne() throws IOException {
        TransactionOptions named = options(true, Durability.FULL).toBuilder().transactionId("my-tx.1").build();
        try (FileTransaction tx = new FileTransaction(named)) {
            assertThat(tx.id()).isEqualTo("my-tx.1");
        }
        try (FileTransaction a = new FileTransaction(options(true, Durability.FULL));
                FileTransaction b = new FileTransaction(options(true, Durability.FULL))) {
            assertThat(a.id()).isNotEqualTo(b.id()).matches("[A-Za-z0-9][A-Za-z0-9._-]*");
        }
        assertThatThrownBy(() -> TransactionOptions.builder().transactionId("../evil"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
