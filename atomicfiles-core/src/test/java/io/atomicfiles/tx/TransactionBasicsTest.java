package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionBasicsTest {
    @TempDir
    Path dir;
    @TempDir
    Path journals;

    private TransactionOptions options;

    @BeforeEach
    void setUp() {
        options = TransactionOptions.builder().journalDir(journals).showProgress(false).build();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            // Folders' lock files (.atomicfiles.lock) are there by design.
            return s.filter(p -> !p.equals(dir) && !p.getFileName().toString().equals(".atomicfiles.lock"))
                    .map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void writesCopiesMovesAndDeletesTogether() throws IOException {
        Files.writeString(dir.resolve("old.txt"), "old");
        Files.writeString(dir.resolve("src.txt"), "source");
        Files.writeString(dir.resolve("moveme.txt"), "moving");
        Files.writeString(dir.resolve("app.json"), "{}");
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(dir.resolve("app.json"), Map.of("a", 1), ContentType.JSON);
            tx.addWrite(dir.resolve("sub/db.yaml"), Map.of("b", "x"), ContentType.YAML);
            tx.addCopy(dir.resolve("src.txt"), dir.resolve("copy.txt"));
            tx.addMove(dir.resolve("moveme.txt"), dir.resolve("moved.txt"));
            tx.addDelete(dir.resolve("old.txt"));
            tx.commit();
        }
        assertThat(Files.readString(dir.resolve("app.json"))).isEqualTo("{\n  \"a\": 1\n}\n");
        assertThat(Files.readString(dir.resolve("app.json.backup"))).isEqualTo("{}");
        assertThat(Files.readString(dir.resolve("sub/db.yaml"))).isEqualTo("b: x\n");
        assertThat(Files.readString(dir.resolve("copy.txt"))).isEqualTo("source");
        assertThat(Files.readString(dir.resolve("moved.txt"))).isEqualTo("moving");
        assertThat(Files.readString(dir.resolve("old.txt.deleted_backup"))).isEqualTo("old");
        assertThat(names()).containsExactly("app.json", "app.json.backup", "copy.txt", "moved.txt",
                "old.txt.deleted_backup", "src.txt", "sub", "sub/db.yaml");
        try (Stream<Path> s = Files.list(journals)) {
            // The journal folder's own lock file (of the lock that serialises its scans) stays.
            assertThat(s.filter(p -> !p.getFileName().toString().equals(".atomicfiles.lock")).toList()).isEmpty();
        }
    }

    @Test
    void schemaViolationChangesNothing() throws IOException {
        Files.writeString(dir.resolve("a.json"), "{}");
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(dir.resolve("a.json"), Map.of("x", 1), ContentType.JSON);
            assertThatThrownBy(() -> tx.addWrite(dir.resolve("b.json"), Map.of("y", "s"), ContentType.JSON,
                    Map.of("type", "object", "properties", Map.of("y", Map.of("type", "integer")))))
                    .isInstanceOf(ValidationException.class);
        }
        assertThat(names()).containsExactly("a.json");
        assertThat(Files.readString(dir.resolve("a.json"))).isEqualTo("{}");
    }

    @Test
    void recoveryWithNothingToDoIsEmpty() throws IOException {
        RecoveryReport report = FileTransaction.recover(journals);
        assertThat(report.isEmpty()).isTrue();
    }
}
