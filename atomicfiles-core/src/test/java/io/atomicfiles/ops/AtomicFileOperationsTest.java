package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON/YAML updates, batches and the audit summary of {@code AtomicFileOperations}. */
class AtomicFileOperationsTest {
    @TempDir
    Path dir;

    private AtomicFileOperations ops() throws IOException {
        return new AtomicFileOperations(dir.resolve("ops.audit"));
    }

    @Test
    void jsonUpdateReadsAppliesAndWritesBack() throws IOException {
        Path settings = dir.resolve("settings.json");
        Files.writeString(settings, "{\"name\": \"app\", \"count\": 1}");
        Map<String, Object> result = ops().atomicJsonUpdate(settings, m -> {
            m.put("count", (Integer) m.get("count") + 1);
            m.put("updated", true);
            return m;
        });
        assertThat(result).containsExactly(Map.entry("name", "app"), Map.entry("count", 2), Map.entry("updated", true));
        assertThat(Files.readString(settings)).isEqualTo("{\n  \"name\": \"app\",\n  \"count\": 2,\n  \"updated\": true\n}\n");
        assertThat(Files.readString(dir.resolve("settings.json.backup"))).isEqualTo("{\"name\": \"app\", \"count\": 1}");
    }

    @Test
    void aMissingFileStartsEmptyUnlessCreateIfMissingIsFalse() throws IOException {
        Path fresh = dir.resolve("new/state.json");
        assertThat(ops().atomicJsonUpdate(fresh, m -> {
            m.put("step", 1);
            return m;
        })).isEqualTo(Map.of("step", 1));
        assertThat(Files.readString(fresh)).isEqualTo("{\n  \"step\": 1\n}\n");

        Path absent = dir.resolve("other/absent.json");
        assertThatThrownBy(() -> ops().atomicJsonUpdate(absent, m -> m, false, null))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("absent.json");
        assertThat(dir.resolve("other")).doesNotExist();
    }

    @Test
    void aSchemaViolationOrAThrowingFunctionWritesNothing() throws IOException {
        Path file = dir.resolve("user.json");
        Files.writeString(file, "{\"name\": \"ann\"}");
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("name"),
                "properties", Map.of("name", Map.of("type", "string")));
        AtomicFileOperations ops = ops();
        assertThatThrownBy(() -> ops.atomicJsonUpdate(file, m -> {
            m.remove("name");
            return m;
        }, true, schema)).isInstanceOf(ValidationException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> ops.atomicJsonUpdate(file, m -> {
            throw new UncheckedIOException(new IOException("no"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> ops.atomicJsonUpdate(file, m -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned null");
        assertThat(Files.readString(file)).isEqualTo("{\"name\": \"ann\"}");
        assertThat(ops.auditTrail().entries()).extracting(AuditEntry::status).containsExactly("failed", "failed", "failed");
    }

    @Test
    void anInvalidFileIsAClearErrorAndStaysAsItWas() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"a\": ");
        assertThatThrownBy(() -> ops().atomicJsonUpdate(file, m -> m)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("line 1");
        assertThat(Files.readString(file)).isEqualTo("{\"a\": ");
    }

    @Test
    void yamlUpdateKeepsYaml() throws IOException {
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, "name: app\nlimits:\n  cpu: 1\n");
        ops().atomicYamlUpdate(file, m -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> limits = (Map<String, Object>) m.get("limits");
            limits.put("cpu", 2);
            return m;
        });
        assertThat(Files.readString(file)).isEqualTo("name: app\nlimits:\n  cpu: 2\n");
    }

    @Test
    void anUpdateThroughASymbolicLinkChangesTheLinkedFile() throws IOException {
        Path real = dir.resolve("real.json");
        Files.writeString(real, "{\"v\": 1}");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real.getFileName());
        ops().atomicJsonUpdate(link, m -> {
            m.put("v", 2);
            return m;
        });
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("{\n  \"v\": 2\n}\n");
    }

    @Test
    void aBatchIsFramedByStartAndCompleteRecordsSharingItsId() throws IOException {
        AtomicFileOperations ops = ops();
        String result = ops.batchOperation("nightly", () -> {
            ops.atomicJsonUpdate(dir.resolve("a.json"), m -> m);
            return "done";
        });
        assertThat(result).isEqualTo("done");
        List<AuditEntry> entries = ops.auditTrail().entries();
        assertThat(entries).extracting(AuditEntry::operation, AuditEntry::status).containsExactly(
                tuple("batch_start_nightly", "started"), tuple("json_update", "completed"),
                tuple("batch_complete_nightly", "completed"));
        assertThat(entries.get(0).batchId()).isNotBlank();
        assertThat(entries).allSatisfy(e -> assertThat(e.batchId()).isEqualTo(entries.get(0).batchId()));
    }

    @Test
    void aFailedBatchIsRecordedWithItsErrorAndTheErrorIsRethrown() throws IOException {
        AtomicFileOperations ops = ops();
        IOException failure = new IOException("disk on fire");
        assertThatThrownBy(() -> ops.batchOperation("deploy", () -> {
            ops.atomicJsonUpdate(dir.resolve("b.json"), m -> m);
            throw failure;
        })).isSameAs(failure);
        List<AuditEntry> entries = ops.auditTrail().entries();
        assertThat(entries).extracting(AuditEntry::operation).containsExactly("batch_start_deploy", "json_update",
                "batch_failed_deploy");
        AuditEntry failed = entries.get(2);
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.error()).isEqualTo("disk on fire");
        assertThat(failed.batchId()).isEqualTo(entries.get(0).batchId());

        // Operations after the batch carry no batch id; a second batch gets a new one.
        ops.atomicJsonUpdate(dir.resolve("c.json"), m -> m);
        ops.batchOperation("again", () -> { });
        List<AuditEntry> later = ops.auditTrail().entries();
        assertThat(later.get(3).batchId()).isNull();
        assertThat(later.get(4).batchId()).isNotEqualTo(failed.batchId());
    }

    @Test
    void displayAuditSummaryPrintsTotalsAndFiles() throws IOException {
        AtomicFileOperations ops = new AtomicFileOperations(new AuditTrail(dir.resolve("ops.audit")),
                WriteOptions.builder().showProgress(false).build());
        Path a = dir.resolve("a.json");
        ops.atomicJsonUpdate(a, m -> m);
        ops.atomicJsonUpdate(a, m -> m);
        assertThatThrownBy(() -> ops.atomicJsonUpdate(dir.resolve("x.json"), m -> m, false, null))
                .isInstanceOf(NoSuchFileException.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ops.displayAuditSummary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| Session          | " + ops.auditTrail().sessionId())
                .contains("| Total operations | 3 ").contains("| Successful       | 2 ")
                .contains("| Failed           | 1 ").contains("| Files affected   | 2 ")
                .contains("| Files changed    | 1 ")
                .contains(a.toAbsolutePath() + " | 2          | 2          | 0      | json_update (completed) |");
    }
}
