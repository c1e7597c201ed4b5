package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.format.Codecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The command line as scripts use it, through the real jar: {@code --json} of every command that
 * reports (parsed here, field by field, as the help documents it), {@code -q}, {@code verify -c}
 * on sha256sum's own output, {@code merge -o -}, {@code backups list}, {@code sweep}, and
 * {@code --audit} on {@code write} and {@code tx apply}.
 */
class CliScriptingIT {
    @TempDir
    Path dir;

    private JarRun.Result run(String... args) throws Exception {
        JarRun.Result result = JarRun.jar().in(dir).run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    /** The one JSON object a --json command prints, on one line. */
    private JsonNode json(String... args) throws Exception {
        JarRun.Result result = run(args);
        List<String> lines = result.out().lines().toList();
        assertThat(lines).as(result.toString()).hasSize(1);
        return Codecs.json().readTree(lines.get(0));
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void everyCommandThatReportsPrintsOneDocumentedJsonObject() throws Exception {
        Files.writeString(dir.resolve("in.yaml"), "name: api\nport: 8080\n");
        JsonNode write = json("write", "app.json", "--from", "in.yaml", "--json");
        byte[] written = Files.readAllBytes(dir.resolve("app.json"));
        assertThat(write.get("path").asString()).isEqualTo(dir.resolve("app.json").toString());
        assertThat(write.get("bytes").asLong()).isEqualTo(written.length);
        assertThat(write.get("sha256").asString()).isEqualTo(sha256(written));
        assertThat(write.get("backup").isNull()).isTrue();
        JsonNode again = json("write", "app.json", "--from", "in.yaml", "--json");
        assertThat(again.get("backup").asString()).isEqualTo(dir.resolve("app.json.backup").toString());

        JsonNode verify = json("verify", "app.json", "--expect-sha256", sha256(written), "--json");
        assertThat(verify.get("path").asString()).isEqualTo("app.json");
        assertThat(verify.get("ok").asBoolean()).isTrue();

        JsonNode update = json("update", "app.json", "--set", "port=9090", "--delete", "nothing", "--json");
        assertThat(update.get("written").asBoolean()).isTrue();
        assertThat(update.get("changes").asInt()).isEqualTo(1);
        assertThat(update.at("/edits/0/before").asInt()).isEqualTo(8080);
        assertThat(update.at("/edits/0/after").asInt()).isEqualTo(9090);
        assertThat(update.at("/edits/1/action").asString()).isEqualTo("delete");
        assertThat(update.at("/edits/1/changed").asBoolean()).isFalse();

        Files.writeString(dir.resolve("site.yaml"), "port: 80\n");
        JsonNode merge = json("merge", "app.json", "site.yaml", "missing.yaml", "-o", "merged.json", "--json");
        assertThat(merge.get("inputs")).hasSize(2);
        assertThat(merge.at("/skipped/0").asString()).isEqualTo("missing.yaml");
        assertThat(merge.get("strategy").asString()).isEqualTo("deep");
        assertThat(merge.get("warnings")).hasSize(1);
        assertThat(merge.get("sha256").asString()).isEqualTo(sha256(Files.readAllBytes(dir.resolve("merged.json"))));

        Files.writeString(dir.resolve("app.log"), "line\n");
        JsonNode rotate = json("rotate", "app.log", "--keep", "3", "--json");
        assertThat(rotate.get("existed").asBoolean()).isTrue();
        assertThat(rotate.at("/rotated/0").asString()).isEqualTo(dir.resolve("app.log.1").toString());

        Files.writeString(dir.resolve("plan.yaml"), "operations:\n  - write: tx/a.json\n    content: {x: 1}\n"
                + "  - copy: app.log.1\n    to: tx/log\n");
        JsonNode dryRun = json("tx", "apply", "plan.yaml", "--json", "--dry-run");
        assertThat(dryRun.get("dryRun").asBoolean()).isTrue();
        assertThat(dryRun.get("committed").asBoolean()).isFalse();
        assertThat(dir.resolve("tx")).doesNotExist();
        JsonNode tx = json("tx", "apply", "plan.yaml", "--json");
        assertThat(tx.get("committed").asBoolean()).isTrue();
        assertThat(tx.get("transaction").asString()).isNotBlank();
        assertThat(tx.at("/operations/0/op").asString()).isEqualTo("write");
        assertThat(tx.at("/operations/0/bytes").asLong()).isEqualTo(Files.size(dir.resolve("tx/a.json")));
        assertThat(tx.at("/operations/1/to").asString()).isEqualTo("tx/log");

        JsonNode recover = json("recover", "--json");
        assertThat(recover.get("transactions")).isEmpty();
        assertThat(recover.get("skipped")).isEmpty();

        Files.setLastModifiedTime(dir.resolve("app.json.backup"), FileTime.from(Instant.now().minusSeconds(7200)));
        JsonNode list = json("backups", "list", ".", "--json");
        assertThat(list.at("/backups/0/path").asString()).isEqualTo("./app.json.backup");
        assertThat(list.at("/backups/0/ageSeconds").asLong()).isGreaterThanOrEqualTo(7200);
        JsonNode clean = json("backups", "clean", ".", "--older-than", "1h", "--json");
        assertThat(clean.get("count").asInt()).isEqualTo(1);
        assertThat(dir.resolve("app.json.backup")).doesNotExist();

        // A temp file whose writer cannot be told (the shape earlier versions made), old enough to
        // be stale. (A name from TempFiles.name would carry this test JVM's own identity: a live
        // writer's file, which sweep rightly never removes.)
        Path stale = dir.resolve(".app.json.tmp-0123456789ab");
        Files.writeString(stale, "left by a killed writer");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
        JsonNode sweep = json("sweep", ".", "--json");
        assertThat(sweep.get("removed").asInt()).isEqualTo(1);
        assertThat(stale).doesNotExist();
        assertThat(sweep.get("olderThan").asString()).isEqualTo("1h");
    }

    @Test
    void auditOnWriteAndTxApplyRecordsThemAndTheAuditCommandsReportAsJson() throws Exception {
        Files.writeString(dir.resolve("in.txt"), "hello\n");
        Files.writeString(dir.resolve("plan.yaml"), "operations:\n  - write: b.txt\n    text: b\n");
        run("write", "a.txt", "--from", "in.txt", "--audit", "ops.audit");
        run("tx", "apply", "plan.yaml", "--audit", "ops.audit");

        List<JsonNode> records = run("audit", "show", "ops.audit", "--json").out().lines()
                .map(line -> Codecs.json().readTree(line)).toList();
        assertThat(records).anySatisfy(r -> assertThat(r.get("path").asString()).endsWith("a.txt"));
        assertThat(records).anySatisfy(r -> assertThat(r.has("tx") || r.get("op").asString().contains("transaction"))
                .isTrue());
        JsonNode summary = json("audit", "summary", "ops.audit", "--json");
        assertThat(summary.get("failed").asInt()).isZero();
        assertThat(summary.get("totalOperations").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode verify = json("audit", "verify", "ops.audit", "--json");
        assertThat(verify.get("ok").asBoolean()).isTrue();
        assertThat(verify.get("lastHash").asString()).hasSize(64);
    }

    @Test
    void verifyChecksSha256sumsOwnOutputLikeSha256sumDashC() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a\n");
        Files.writeString(dir.resolve("b c.bin"), "b\n");
        // As sha256sum writes them: text mode, binary mode, --tag.
        String sums = sha256("a\n".getBytes(StandardCharsets.UTF_8)) + "  a.txt\n"
                + sha256("b\n".getBytes(StandardCharsets.UTF_8)) + " *b c.bin\n"
                + "SHA256 (a.txt) = " + sha256("a\n".getBytes(StandardCharsets.UTF_8)) + "\n";
        Files.writeString(dir.resolve("SHA256SUMS"), sums);
        JarRun.Result ok = run("verify", "-c", "SHA256SUMS");
        assertThat(ok.out()).isEqualTo("a.txt: OK\nb c.bin: OK\na.txt: OK\n");
        assertThat(ok.err()).isEmpty();

        Files.writeString(dir.resolve("b c.bin"), "changed\n");
        JarRun.Result bad = JarRun.jar().in(dir).run("verify", "-c", "SHA256SUMS");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out()).isEqualTo("a.txt: OK\nb c.bin: FAILED\na.txt: OK\n");
        assertThat(bad.err()).isEqualTo("atomicfiles verify: 1 computed checksum did NOT match\n");

        JarRun.Result quiet = JarRun.jar().in(dir).run("-q", "verify", "-c", "SHA256SUMS");
        assertThat(quiet.exitCode()).isEqualTo(1);
        assertThat(quiet.out()).isEmpty();
        assertThat(quiet.err()).isEqualTo("b c.bin: FAILED\natomicfiles verify: 1 computed checksum did NOT match\n");

        JarRun.Result fromStdin = JarRun.jar().in(dir).stdin(sums).run("verify", "-c", "-", "--json");
        List<JsonNode> lines = fromStdin.out().lines().map(line -> Codecs.json().readTree(line)).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).get("ok").asBoolean()).isFalse();
        assertThat(lines.get(1).get("path").asString()).isEqualTo("b c.bin");
        assertThat(fromStdin.exitCode()).isEqualTo(1);
    }

    /** When the real sha256sum is there, its output goes straight in. */
    @Test
    void verifyDashCReadsWhatSha256sumWrote() throws Exception {
        Files.writeString(dir.resolve("one.txt"), "1\n");
        Files.write(dir.resolve("two.bin"), new byte[] {0, 1, 2});
        Process sha256sum;
        try {
            sha256sum = new ProcessBuilder("sha256sum", "one.txt", "two.bin").directory(dir.toFile())
                    .redirectOutput(dir.resolve("SUMS").toFile()).start();
        } catch (java.io.IOException e) {
            System.out.println("skipped: no sha256sum here (" + e.getMessage() + ")");
            return;
        }
        assertThat(sha256sum.waitFor()).isZero();
        assertThat(run("verify", "-c", "SUMS").out()).isEqualTo("one.txt: OK\ntwo.bin: OK\n");
    }

    @Test
    void quietPrintsNothingAndMergeCanPrintTheDocument() throws Exception {
        Files.writeString(dir.resolve("in.txt"), "x\n");
        JarRun.Result quiet = run("-q", "write", "out.txt", "--from", "in.txt");
        assertThat(quiet.out()).isEmpty();
        assertThat(quiet.err()).isEmpty();
        assertThat(dir.resolve("out.txt")).hasContent("x");

        Files.writeString(dir.resolve("base.json"), "{\"db\": {\"host\": \"localhost\", \"port\": 5432}}");
        Files.writeString(dir.resolve("prod.yaml"), "db:\n  host: db.internal\n");
        JarRun.Result yaml = run("merge", "base.json", "prod.yaml", "-o", "-", "--format", "yaml");
        assertThat(Codecs.yaml().readTree(yaml.out()).at("/db/host").asString()).isEqualTo("db.internal");
        assertThat(Codecs.yaml().readTree(yaml.out()).at("/db/port").asInt()).isEqualTo(5432);
        JarRun.Result json = run("merge", "base.json", "prod.yaml", "-o", "-");
        assertThat(Codecs.json().readTree(json.out()).at("/db/host").asString()).isEqualTo("db.internal");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")))
                    .containsExactlyInAnyOrder("in.txt", "out.txt", "base.json", "prod.yaml");
        }
    }
}
