package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditSummary;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.AuditVerification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit file: its records, its chain, and what {@code verify()} finds when lines are tampered with. */
class AuditTrailTest {
    @TempDir
    Path dir;

    private Path auditFile() {
        return dir.resolve("ops.audit");
    }

    /** A trail with a file-start line and {@code n} records (lines 2..n+1). */
    private AuditTrail trailWith(int n) throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        for (int i = 1; i <= n; i++) {
            trail.logOperation("write", dir.resolve("f" + i + ".json"), Map.of("i", i), "completed", null);
        }
        return trail;
    }

    private List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(auditFile()));
    }

    private void rewrite(List<String> lines) throws IOException {
        Files.write(auditFile(), lines);
    }

    @Test
    void recordsRoundTripWithTheirFields() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        AuditEntry written = trail.logOperation("write", dir.resolve("a.json"), Map.of("size", 12, "who", "test"),
                "failed", "disk full");
        List<AuditEntry> entries = trail.entries();
        assertThat(entries).containsExactly(written);
        AuditEntry e = entries.get(0);
        assertThat(e.operation()).isEqualTo("write");
        assertThat(e.path()).isEqualTo(dir.resolve("a.json").toAbsolutePath());
        assertThat(e.status()).isEqualTo("failed");
        assertThat(e.error()).isEqualTo("disk full");
        assertThat(e.metadata()).isEqualTo(Map.of("size", 12, "who", "test"));
        assertThat(e.sessionId()).isEqualTo(trail.sessionId());
        assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(e.hash()).hasSize(64);
        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"op\":\"audit_file_start\"");
        assertThat(e.previousHash()).isEqualTo(lines.get(0).substring(lines.get(0).length() - 66, lines.get(0).length() - 2));
    }

    @Test
    void anUntouchedTrailVerifies() throws IOException {
        AuditVerification v = trailWith(5).verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.recordsChecked()).isEqualTo(6);
        assertThat(v.lastHash()).isEqualTo(new AuditTrail(auditFile()).entries().get(4).hash());
    }

    @Test
    void anEditedLineIsNamed() throws IOException {
        AuditTrail trail = trailWith(5);
        List<String> lines = lines();
        lines.set(3, lines.get(3).replace("\"completed\"", "\"failed\""));
        rewrite(lines);
        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.lineNumber()).isEqualTo(4);
        assertThat(v.file()).isEqualTo(auditFile().toAbsolutePath());
        assertThat(v.reason()).contains("edited");
    }

    @Test
    void aRemovedLineIsNamed() throws IOException {
        AuditTrail trail = trailWith(5);
        List<String> lines = lines();
        lines.remove(2);
        rewrite(lines);
        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.lineNumber()).isEqualTo(3);
        assertThat(v.reason()).contains("removed");
    }

    @Test
    void swappedLinesAreNamed() throws IOException {
        AuditTrail trail = trailWith(5);
        List<String> lines = lines();
        String third = lines.get(2);
        lines.set(2, lines.get(3));
        lines.set(3, third);
        rewrite(lines);
        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.lineNumber()).isEqualTo(3);
        assertThat(v.reason()).contains("reordered");
    }

    @Test
    void removingTheFirstLinesIsNamed() throws IOException {
        AuditTrail trail = trailWith(3);
        List<String> lines = lines();
        lines.remove(0);
        rewrite(lines);
        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.lineNumber()).isEqualTo(1);
        assertThat(v.reason()).contains("first lines were removed");
    }

    @Test
    void aLineCutShortByACrashIsReportedAndTheNextRecordStartsItsOwnLine() throws IOException {
        AuditTrail trail = trailWith(2);
        Files.writeString(auditFile(), "{\"ts\":\"2024-01-01T00:00:00Z\",\"op\":\"wri", StandardOpenOption.APPEND);
        trail.logOperation("copy", dir.resolve("b"), null, "completed", null);
        List<String> lines = lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(3)).endsWith("\"op\":\"wri");
        assertThat(lines.get(4)).contains("\"op\":\"copy\"");
        AuditVerification v = trail.verify();
        assertThat(v.lineNumber()).isEqualTo(4);
        assertThat(v.reason()).contains("not a sealed audit record");
        // The record after the damage links to the last intact one: removing the damaged line repairs the chain.
        lines.remove(3);
        rewrite(lines);
        assertThat(trail.verify().ok()).isTrue();
        assertThat(trail.entries()).extracting(AuditEntry::operation).containsExactly("write", "write", "copy");
    }

    @Test
    void theChainRunsAcrossRotatedFilesPlainAndCompressed() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile(), true);
        int n = 0;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3; i++) {
                trail.logOperation("write", dir.resolve("f" + n++), null, "completed", null);
            }
            AtomicFiles.rotate(auditFile(), 10, round % 2 == 0);
        }
        trail.logOperation("write", dir.resolve("f" + n++), null, "completed", null);
        assertThat(AuditTrail.chainFiles(auditFile())).extracting(p -> p.getFileName().toString())
                .containsExactly("ops.audit.4.gz", "ops.audit.3.gz", "ops.audit.2.gz", "ops.audit.1", "ops.audit");
        AuditVerification v = trail.verify();
        assertThat(v.ok()).as(v.toString()).isTrue();
        assertThat(v.recordsChecked()).isEqualTo(n + 5);
        assertThat(trail.entries()).extracting(e -> e.path().getFileName().toString())
                .containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12");

        // A missing rotated file breaks the link into the file after it.
        List<Path> withoutOne = List.of(dir.resolve("ops.audit.4.gz"), dir.resolve("ops.audit.2.gz"),
                dir.resolve("ops.audit.1"), auditFile());
        AuditVerification gap = AuditTrail.verify(withoutOne);
        assertThat(gap.ok()).isFalse();
        assertThat(gap.file()).isEqualTo(dir.resolve("ops.audit.2.gz"));
        assertThat(gap.lineNumber()).isEqualTo(1);
        assertThat(gap.reason()).contains("does not continue");

        // An edit inside a rotated file is found there (ops.audit.1 holds f9, f10, f11 after its file-start line).
        Path rotated = dir.resolve("ops.audit.1");
        List<String> lines = new ArrayList<>(Files.readAllLines(rotated));
        assertThat(lines.get(2)).contains("/f10\"");
        lines.set(2, lines.get(2).replace("/f10\"", "/fX\""));
        Files.write(rotated, lines);
        AuditVerification edited = trail.verify();
        assertThat(edited.file()).isEqualTo(rotated);
        assertThat(edited.lineNumber()).isEqualTo(3);
    }

    @Test
    void summaryCountsOutcomesOfThisSessionAndFilesChanged() throws IOException {
        AuditTrail other = new AuditTrail(auditFile());
        other.logOperation("write", dir.resolve("other"), null, "completed", null);
        AuditTrail trail = new AuditTrail(auditFile());
        trail.logOperation("batch_start_x", null, null, "started", null);
        trail.logOperation("write", dir.resolve("a"), null, "completed", null);
        trail.logOperation("write", dir.resolve("a"), null, "retry", "lock busy");
        trail.logOperation("write", dir.resolve("a"), null, "completed", null);
        trail.logOperation("copy", dir.resolve("b"), null, "failed", "no space");
        trail.logOperation("move", dir.resolve("c"), null, "completed", null);
        AuditSummary s = trail.summary();
        assertThat(s.sessionId()).isEqualTo(trail.sessionId());
        assertThat(s.totalOperations()).isEqualTo(4);
        assertThat(s.successful()).isEqualTo(3);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.filesAffected()).as("a, b and c, the failed copy's b included").isEqualTo(3);
        assertThat(s.filesChanged()).as("a and c: the copy of b failed").isEqualTo(2);
        assertThat(s.files()).extracting(AuditSummary.FileActivity::operations).containsExactly(2, 1, 1);
        assertThat(trail.summaryOfAllSessions().totalOperations()).isEqualTo(5);
        String table = s.toTable();
        assertThat(table).contains("| Total operations | 4 ").contains("| Files affected   | 3 ")
                .contains("| Files changed    | 2 ")
                .contains(dir.resolve("b").toAbsolutePath().toString()).contains("copy (failed)");
    }

    /**
     * Seed parity: the seed's {@code files_affected} counts every distinct file its session's
     * operations named, whatever they did and however they ended.
     */
    @Test
    void filesAffectedCountsEveryFileTheSessionNamedAsTheSeedDoes() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        trail.logOperation("write", dir.resolve("written.json"), null, "completed", null);
        trail.logOperation("read", dir.resolve("read.json"), null, "completed", null);
        trail.logOperation("delete", dir.resolve("kept.json"), null, "failed", "permission denied");

        AuditSummary s = trail.summary();

        assertThat(s.filesAffected()).isEqualTo(3);
        assertThat(s.filesChanged()).as("only the write changed a file").isEqualTo(1);
        assertThat(s.toTable()).contains("| Files affected   | 3 ").contains("| Files changed    | 1 ");
    }

    @Test
    void anUnknownStatusIsRefused() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        assertThatThrownBy(() -> trail.logOperation("write", null, null, "done", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("done");
        assertThat(auditFile()).doesNotExist();
    }

    @Test
    void aTrailInMemoryIsChainedToo() throws IOException {
        AuditTrail trail = AuditTrail.inMemory();
        trail.logOperation("write", dir.resolve("a"), null, "completed", null);
        trail.logOperation("write", dir.resolve("b"), null, "completed", null);
        assertThat(trail.file()).isEmpty();
        assertThat(trail.entries()).hasSize(2);
        assertThat(trail.entries().get(1).previousHash()).isEqualTo(trail.entries().get(0).hash());
        assertThat(trail.verify().ok()).isTrue();
    }

    @Test
    void everyLineIsOneJsonObjectEndingInItsHash() throws IOException {
        trailWith(3);
        byte[] bytes = Files.readAllBytes(auditFile());
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            assertThat(line).startsWith("{\"ts\":").matches(".*,\"prev\":\"[0-9a-f]{64}\",\"hash\":\"[0-9a-f]{64}\"}");
        }
    }
}
