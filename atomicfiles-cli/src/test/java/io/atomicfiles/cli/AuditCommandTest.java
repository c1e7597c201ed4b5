package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code --audit FILE} on the commands that change files, and {@code atomicfiles audit show|summary|verify}. */
class AuditCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path audit;
    private Path config;

    /** Four operations recorded through --audit: two updates, a rejected update, a rotation. */
    @BeforeEach
    void trail() throws IOException {
        audit = dir.resolve("ops.audit");
        config = dir.resolve("config.json");
        Files.writeString(config, "{\"port\": 80}");
        Files.writeString(dir.resolve("app.log"), "log\n");
        run("update", config.toString(), "--set", "port=8080", "--audit", audit.toString());
        run("update", config.toString(), "--set", "name=api", "--audit", audit.toString());
        Cli.Run refused = Cli.run("update", config.toString(), "--set", "port.x=1", "--audit", audit.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(Main.INVALID);
        run("rotate", dir.resolve("app.log").toString(), "--keep", "2", "--audit", audit.toString());
    }

    @AfterEach
    void noGlobalTrailIsLeftSet() {
        assertThat(AuditTrail.global()).isEmpty();
    }

    private static Cli.Run run(String... args) {
        Cli.Run run = Cli.run(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run;
    }

    private List<String> auditLines() throws IOException {
        return Files.readAllLines(audit, StandardCharsets.UTF_8);
    }

    @Test
    void auditRecordsEachOperationOnceWithItsOutcome() throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : auditLines()) {
            records.add(Codecs.json().readTree(line));
        }
        List<String> operations = records.stream().map(r -> r.path("op").asString() + " " + r.path("status").asString())
                .collect(Collectors.toList());
        assertThat(operations).containsExactly("audit_file_start started", "json_update completed",
                "json_update completed", "json_update failed", "rotate completed");
        assertThat(records.get(2).path("sha256").asString()).isEqualTo(AtomicFiles.checksum(config));
        assertThat(records.get(3).path("error").asString()).contains("cannot set port.x");
    }

    @Test
    void showListsEveryRecordAndTheFailuresError() {
        Cli.Run run = run("audit", "show", audit.toString());
        List<String> lines = run.out().lines().collect(Collectors.toList());
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).contains("  completed  json_update  " + config + "  ").contains(" B, sha256 ");
        assertThat(lines.get(2)).contains("  failed     json_update  " + config);
        assertThat(lines.get(3)).startsWith("    error: ").contains("cannot set port.x");
        assertThat(lines.get(4)).contains("  completed  rotate  " + dir.resolve("app.log"));
        assertThat(lines.get(5)).isEqualTo("4 records");
    }

    @Test
    void showLastAsJsonLinesGivesTheFieldsOfTheFile() throws IOException {
        Cli.Run run = run("audit", "show", audit.toString(), "--last", "2", "--json");
        List<String> lines = run.out().lines().collect(Collectors.toList());
        assertThat(lines).hasSize(2);
        List<String> fileLines = auditLines();
        for (int i = 0; i < 2; i++) {
            JsonNode shown = Codecs.json().readTree(lines.get(i));
            JsonNode stored = Codecs.json().readTree(fileLines.get(fileLines.size() - 2 + i));
            assertThat(shown.path("hash").asString()).isEqualTo(stored.path("hash").asString());
            assertThat(shown.path("prev").asString()).isEqualTo(stored.path("prev").asString());
            for (String field : List.of("ts", "session", "pid", "op", "path", "status", "error", "metadata")) {
                assertThat(shown.path(field)).as(field).isEqualTo(stored.path(field));
            }
        }
    }

    @Test
    void summaryPrintsTheTableOverAllSessions() {
        Cli.Run run = run("audit", "summary", audit.toString());
        assertThat(run.out()).contains("| Session          | all sessions |")
                .contains("| Total operations | 4            |")
                .contains("| Successful       | 3            |")
                .contains("| Failed           | 1            |")
                .contains("| Files affected   | 2            |")
                .contains("| Files changed    | 2            |")
                .contains("| config.json | 3          | 2          | 1      | json_update (failed) |")
                .contains("| app.log     | 1          | 1          | 0      | rotate (completed)   |")
                .contains("File paths are relative to " + dir + NL)
                .contains("4 records from 4 sessions, ");
    }

    @Test
    void verifyOfAnIntactTrail() {
        Cli.Run run = run("audit", "verify", audit.toString());
        assertThat(run.out()).startsWith(audit + ": intact, 5 lines in 1 file (ops.audit)" + NL + "last hash ");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void verifyNamesTheLineEditedByHand() throws IOException {
        List<String> lines = new ArrayList<>(auditLines());
        lines.set(2, lines.get(2).replace("\"status\":\"completed\"", "\"status\":\"failed\""));
        Files.write(audit, lines, StandardCharsets.UTF_8);
        Cli.Run run = Cli.run("audit", "verify", audit.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INTEGRITY);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("atomicfiles audit verify: " + audit + " line 3: edited: the record's content"
                + " does not match its hash (the 2 lines before it are intact)" + NL);
    }

    @Test
    void verifyNamesTheLineAfterARemovedOrSwappedOne() throws IOException {
        List<String> lines = new ArrayList<>(auditLines());
        List<String> removed = new ArrayList<>(lines);
        removed.remove(2);
        Files.write(audit, removed, StandardCharsets.UTF_8);
        Cli.Run afterRemoval = Cli.run("audit", "verify", audit.toString());
        assertThat(afterRemoval.exitCode()).isEqualTo(Main.INTEGRITY);
        assertThat(afterRemoval.err()).contains(audit + " line 3: does not follow line 2");

        Collections.swap(lines, 3, 4);
        Files.write(audit, lines, StandardCharsets.UTF_8);
        Cli.Run afterSwap = Cli.run("audit", "verify", audit.toString());
        assertThat(afterSwap.exitCode()).isEqualTo(Main.INTEGRITY);
        assertThat(afterSwap.err()).contains(audit + " line 4: does not follow line 3");
    }

    @Test
    void verifyDetectsTheLastRecordsCutOffTheEnd() throws IOException {
        List<String> lines = auditLines();
        Files.write(audit, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
        Cli.Run run = Cli.run("audit", "verify", audit.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INTEGRITY);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("atomicfiles audit verify: " + audit + " line 4: the last records were removed:"
                + " ops.audit.head records line 5 with hash ")
                .endsWith(", which the trail no longer has (the 3 lines before it are intact)" + NL);
    }

    @Test
    void verifyFollowsTheRotatedFilesAndNamesTheBrokenOne() throws IOException {
        run("rotate", audit.toString(), "--keep", "3", "--gzip");
        run("update", config.toString(), "--set", "port=9090", "--audit", audit.toString());
        run("rotate", audit.toString(), "--keep", "3");
        run("update", config.toString(), "--set", "port=9091", "--audit", audit.toString());

        Cli.Run intact = run("audit", "verify", audit.toString());
        assertThat(intact.out()).startsWith(audit + ": intact, 9 lines in 3 files (ops.audit.2.gz, ops.audit.1, ops.audit)");
        Cli.Run shown = run("audit", "show", audit.toString());
        assertThat(shown.out()).endsWith("6 records" + NL);

        Path middle = dir.resolve("ops.audit.1");
        List<String> lines = new ArrayList<>(Files.readAllLines(middle, StandardCharsets.UTF_8));
        lines.set(1, lines.get(1).replace("\"status\":\"completed\"", "\"status\":\"failed\""));
        Files.write(middle, lines, StandardCharsets.UTF_8);
        Cli.Run broken = Cli.run("audit", "verify", audit.toString());
        assertThat(broken.exitCode()).isEqualTo(Main.INTEGRITY);
        assertThat(broken.err()).contains(middle + " line 2: edited");
    }

    @Test
    void aMissingTrailIsAnErrorAndIsNotCreated() {
        Path missing = dir.resolve("none.audit");
        for (String command : List.of("show", "summary", "verify")) {
            Cli.Run run = Cli.run("audit", command, missing.toString());
            assertThat(run.exitCode()).as(command).isEqualTo(1);
            assertThat(run.err()).contains("no such file: " + missing + " (no audit trail");
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void aFileThatIsNoAuditTrailFailsVerification() {
        Cli.Run run = Cli.run("audit", "verify", config.toString());
        assertThat(run.exitCode()).isEqualTo(Main.INTEGRITY);
        assertThat(run.err()).contains(config + " line 1: not a sealed audit record");
    }

    @Test
    void usageErrors() {
        assertThat(Cli.run("audit").exitCode()).isEqualTo(2);
        assertThat(Cli.run("audit", "show", audit.toString(), "--last", "0").exitCode()).isEqualTo(2);
        assertThat(Cli.run("audit", "verify").exitCode()).isEqualTo(2);
    }
}
