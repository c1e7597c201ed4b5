package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.AuditVerification;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The head file {@code NAME.head} (issue 8, item 11): records cut off the end of a trail are
 * detected like edits and reordering; the state a crash between an append's record and its head
 * leaves is accepted and repaired by the next append; a removed or stale head is reported.
 */
class AuditHeadTest {
    @TempDir
    Path dir;

    private Path auditFile() {
        return dir.resolve("ops.audit");
    }

    private Path headFile() {
        return dir.resolve("ops.audit.head");
    }

    private AuditTrail trailWith(int n) throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        for (int i = 1; i <= n; i++) {
            append(trail, i);
        }
        return trail;
    }

    private static AuditEntry append(AuditTrail trail, int i) throws IOException {
        return trail.logOperation("write", Path.of("f" + i + ".json"), Map.of("i", i), "completed", null);
    }

    private List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(auditFile()));
    }

    private JsonNode head() throws IOException {
        return Codecs.json().readTree(Files.readString(headFile()));
    }

    @Test
    void droppingTheLastTwoLinesIsDetected() throws IOException {
        AuditTrail trail = trailWith(5);
        List<String> lines = lines();
        Files.write(auditFile(), lines.subList(0, lines.size() - 2));

        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.file()).isEqualTo(auditFile().toAbsolutePath());
        assertThat(v.lineNumber()).isEqualTo(5);
        assertThat(v.reason()).contains("the last records were removed").contains("ops.audit.head records line 6");
        assertThat(AuditTrail.verify(auditFile()).ok()).isFalse();
    }

    @Test
    void droppingTheLastLineIsDetectedAndEditsAndReorderingStillAre() throws IOException {
        AuditTrail trail = trailWith(3);
        List<String> lines = lines();
        Files.write(auditFile(), lines.subList(0, lines.size() - 1));
        assertThat(trail.verify().reason()).contains("the last records were removed");

        List<String> swapped = new ArrayList<>(lines);
        swapped.set(2, lines.get(3));
        swapped.set(3, lines.get(2));
        Files.write(auditFile(), swapped);
        assertThat(trail.verify().reason()).contains("reordered");

        Files.write(auditFile(), lines);
        assertThat(trail.verify().ok()).isTrue();
    }

    @Test
    void theHeadHoldsTheLastHashAndLineAfterEveryAppend() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile());
        for (int i = 1; i <= 3; i++) {
            AuditEntry entry = append(trail, i);
            assertThat(head().get("hash").asString()).isEqualTo(entry.hash());
            assertThat(head().get("line").asLong()).isEqualTo(lines().size());
        }
        // A line cut short by a crash is counted too, once the next append has ended it.
        Files.writeString(auditFile(), "{\"ts\":\"2024-01-01T00:00:00Z\",\"op\":\"wri", StandardOpenOption.APPEND);
        append(trail, 4);
        assertThat(head().get("line").asLong()).isEqualTo(lines().size()).isEqualTo(6);
        assertThat(lines().get(0)).contains("\"metadata\":{\"head\":true}");
        try (var names = Files.list(dir)) {
            // The folder's lock file (one per folder written into: docs/design.md, Locks) stays.
            assertThat(names.map(p -> p.getFileName().toString())).as("no temp file left")
                    .containsExactlyInAnyOrder("ops.audit", "ops.audit.head", ".atomicfiles.lock");
        }
    }

    @Test
    void aHeadOneAppendBehindIsACrashWindowAcceptedAndRepairedByTheNextAppend() throws IOException {
        AuditTrail trail = trailWith(3);
        byte[] before = Files.readAllBytes(headFile());
        append(trail, 4);
        Files.write(headFile(), before); // as if the process died between the record and its head

        assertThat(trail.verify().ok()).as("one append behind").isTrue();
        AuditEntry fifth = append(trail, 5);
        assertThat(head().get("hash").asString()).isEqualTo(fifth.hash());
        assertThat(head().get("line").asLong()).isEqualTo(6);
        assertThat(trail.verify().ok()).isTrue();
    }

    @Test
    void aHeadTwoAppendsBehindIsReported() throws IOException {
        AuditTrail trail = trailWith(3);
        byte[] old = Files.readAllBytes(headFile());
        append(trail, 4);
        append(trail, 5);
        Files.write(headFile(), old);

        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.lineNumber()).isEqualTo(5);
        assertThat(v.reason()).contains("2 lines behind");
    }

    @Test
    void aRemovedOrDamagedHeadIsReported() throws IOException {
        AuditTrail trail = trailWith(3);
        Files.copy(headFile(), dir.resolve("ops.audit.head.saved"));
        Files.writeString(headFile(), "not a head\n");
        assertThat(trail.verify().reason()).contains("ops.audit.head is not a head record");

        Files.delete(headFile());
        Files.createSymbolicLink(headFile(), dir.resolve("elsewhere.head"));
        Files.writeString(dir.resolve("elsewhere.head"), Files.readString(dir.resolve("ops.audit.head.saved")));
        assertThat(trail.verify().reason()).as("a link is not followed").contains("is not a head record");

        Files.delete(headFile());
        AuditVerification v = trail.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.reason()).contains("ops.audit.head is missing");
    }

    @Test
    void theFirstAppendsCrashWindowHasNoHeadYetAndIsAccepted() throws IOException {
        AuditTrail trail = trailWith(1);
        Files.delete(headFile());
        assertThat(trail.verify().ok()).isTrue();
        append(trail, 2);
        assertThat(trail.verify().ok()).isTrue();
        assertThat(headFile()).exists();
    }

    @Test
    void theHeadFollowsTheChainAcrossRotationsAndACutAfterOneIsDetected() throws IOException {
        AuditTrail trail = trailWith(3);
        AtomicFiles.rotate(auditFile(), 3, true);
        assertThat(trail.verify().ok()).as("head names the last line of ops.audit.1.gz").isTrue();

        byte[] beforeAppend = Files.readAllBytes(headFile());
        append(trail, 4);
        assertThat(trail.verify().ok()).isTrue();
        Files.write(headFile(), beforeAppend); // crash window of the first append to a new file
        assertThat(trail.verify().ok()).isTrue();

        append(trail, 5);
        List<String> lines = lines();
        Files.write(auditFile(), lines.subList(0, lines.size() - 1));
        AuditVerification v = AuditTrail.verify(auditFile());
        assertThat(v.ok()).isFalse();
        assertThat(v.reason()).contains("the last records were removed");
    }

    @Test
    void aDurableTrailKeepsItsHeadToo() throws IOException {
        AuditTrail trail = new AuditTrail(auditFile(), true);
        AuditEntry entry = append(trail, 1);
        assertThat(head().get("hash").asString()).isEqualTo(entry.hash());
        assertThat(trail.verify().ok()).isTrue();
    }

    @Test
    void aGlobalTrailRecordsNoWriteOfItsOwnHead() throws IOException {
        AuditTrail trail = AuditTrail.setGlobal(auditFile());
        try {
            AtomicFiles.writeText(dir.resolve("a.txt"), "a");
            AtomicFiles.writeText(dir.resolve("b.txt"), "b");
        } finally {
            AuditTrail.clearGlobal();
        }
        assertThat(trail.entries()).extracting(e -> e.path().getFileName().toString())
                .containsExactly("a.txt", "b.txt");
        assertThat(trail.verify().ok()).isTrue();
    }
}
