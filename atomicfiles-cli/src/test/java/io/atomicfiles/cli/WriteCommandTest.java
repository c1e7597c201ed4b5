package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriteCommandTest {
    private static final String JSON = "{\n  \"name\": \"api\",\n  \"port\": 8080\n}\n";
    private static final String YAML = "name: api\nport: 8080\n";
    private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"name\", \"port\"], \"properties\": {"
            + "\"name\": {\"type\": \"string\"}, \"port\": {\"type\": \"integer\", \"maximum\": 65535}}}";

    @TempDir
    Path dir;

    private String arg(String name) {
        return dir.resolve(name).toString();
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    private void create(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // The folder's lock file (.atomicfiles.lock) is there by design.
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")).sorted()
                    .collect(Collectors.toList());
        }
    }

    // ------------------------------------------------------------ each format, from a file and from stdin

    @Test
    void jsonFromAJsonFileIsWrittenIndentedByTwo() throws IOException {
        create("in.json", "{\"name\":\"api\",\"port\":8080}");
        Cli.Run run = Cli.run("write", arg("app.json"), "--from", arg("in.json"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.json")).isEqualTo(JSON);
    }

    @Test
    void jsonFromStandardInput() throws IOException {
        Cli.Run run = Cli.runWithInput("{\"name\":\"api\",\"port\":8080}", "write", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.json")).isEqualTo(JSON);
    }

    @Test
    void yamlFromAYamlFileAndFromStandardInput() throws IOException {
        create("in.yml", "name:   api\nport: 8080\n");
        Cli.Run fromFile = Cli.run("write", arg("a.yaml"), "--from", arg("in.yml"));
        Cli.Run fromStdin = Cli.runWithInput("name:   api\nport: 8080\n", "write", arg("b.yml"));
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isZero();
        assertThat(fromStdin.exitCode()).as(fromStdin.toString()).isZero();
        assertThat(read("a.yaml")).isEqualTo(YAML);
        assertThat(read("b.yml")).isEqualTo(YAML);
    }

    @Test
    void yamlInJsonOutTheInputFormatGuessedFromTheSourceExtension() throws IOException {
        create("in.yaml", YAML);
        Cli.Run run = Cli.run("write", arg("app.json"), "--from", arg("in.yaml"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.json")).isEqualTo(JSON);
    }

    @Test
    void jsonOnStandardInputWrittenAsYamlWithInputFormat() throws IOException {
        Cli.Run run = Cli.runWithInput("{\"name\": \"api\", \"port\": 8080}", "write", arg("app.conf"),
                "--format", "yaml", "--input-format", "JSON");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.conf")).isEqualTo(YAML);
    }

    @Test
    void textIsCopiedAsItIsFromAFileAndFromStandardInput() throws IOException {
        String text = "line one\r\nzwei: \u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9 \u2713\n{not json";
        create("in.txt", text);
        Cli.Run fromFile = Cli.run("write", arg("a.json"), "--format", "text", "--from", arg("in.txt"));
        Cli.Run fromStdin = Cli.runWithInput(text, "write", arg("b.txt"), "--format", "TEXT");
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isZero();
        assertThat(fromStdin.exitCode()).as(fromStdin.toString()).isZero();
        assertThat(read("a.json")).isEqualTo(text);
        assertThat(read("b.txt")).isEqualTo(text);
    }

    @Test
    void bytesAreCopiedExactlyFromAFileAndFromStandardInputByDefaultForOtherExtensions() throws IOException {
        byte[] bytes = new byte[300_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + i / 251);
        }
        Files.write(dir.resolve("in.bin"), bytes);
        Cli.Run fromFile = Cli.run("write", arg("a.bin"), "--from", arg("in.bin"));
        Cli.Run fromStdin = Cli.runWithInput(bytes, "write", arg("b.dat"));
        Cli.Run forced = Cli.runWithInput(bytes, "write", arg("c.json"), "--format", "bytes");
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isZero();
        assertThat(fromStdin.exitCode()).as(fromStdin.toString()).isZero();
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("a.bin"))).isEqualTo(bytes);
        assertThat(Files.readAllBytes(dir.resolve("b.dat"))).isEqualTo(bytes);
        assertThat(Files.readAllBytes(dir.resolve("c.json"))).isEqualTo(bytes);
    }

    // ------------------------------------------------------------ what it prints, backups

    @Test
    void printsOneLineWithPathSizeSha256AndBackup() throws IOException {
        create("notes.txt", "old\n");
        Cli.Run run = Cli.runWithInput("new text\n", "write", arg("notes.txt"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String sha = AtomicFiles.checksum(dir.resolve("notes.txt"));
        assertThat(run.out()).isEqualTo("wrote " + dir.resolve("notes.txt") + ": 9 bytes, sha256 " + sha
                + ", backup " + dir.resolve("notes.txt.backup") + System.lineSeparator());
        assertThat(run.err()).isEmpty();
        assertThat(read("notes.txt.backup")).isEqualTo("old\n");
    }

    @Test
    void noBackupKeepsNoBackupAndSaysNone() throws IOException {
        create("notes.txt", "old\n");
        Cli.Run run = Cli.runWithInput("new\n", "write", arg("notes.txt"), "--no-backup", "--durability", "file",
                "--no-verify");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).doesNotContain("backup");
        assertThat(names()).containsExactly("notes.txt");
        assertThat(read("notes.txt")).isEqualTo("new\n");
    }

    // ------------------------------------------------------------ refusals: exit 1, the file as it was

    @Test
    void schemaViolationExitsOneListsEveryViolationAndLeavesTheFileUntouched() throws IOException {
        create("schema.json", SCHEMA);
        create("app.json", JSON);
        Cli.Run run = Cli.runWithInput("name: 42\nport: 70000\n", "write", arg("app.json"), "--input-format", "yaml",
                "--schema", arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(dir.resolve("app.json").toString()).contains("nothing written")
                .contains("$.name: integer found, string expected")
                .contains("$.port: must have a maximum value of 65535")
                .doesNotContain("\tat ");
        assertThat(read("app.json")).isEqualTo(JSON);
        assertThat(names()).containsExactly("app.json", "schema.json");
    }

    @Test
    void inputThatConformsToTheSchemaIsWritten() throws IOException {
        create("schema.yaml", "type: object\nrequired: [name]\n");
        Cli.Run run = Cli.runWithInput(YAML, "write", arg("app.yaml"), "--schema", arg("schema.yaml"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(read("app.yaml")).isEqualTo(YAML);
    }

    @Test
    void schemaIsCheckedForStreamedTextTooBeforeItIsPublished() throws IOException {
        create("schema.json", SCHEMA);
        create("app.json", JSON);
        Cli.Run run = Cli.runWithInput("{\"name\": 42, \"port\": 1}", "write", arg("app.json"), "--format", "text",
                "--schema", arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("$.name");
        assertThat(read("app.json")).isEqualTo(JSON);
        assertThat(names()).containsExactly("app.json", "schema.json");
    }

    @Test
    void invalidJsonExitsOneNamingTheLineAndWritesNothing() throws IOException {
        create("app.json", JSON);
        Cli.Run run = Cli.runWithInput("{\"name\": \"api\",\n  \"port\": }", "write", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("standard input is not valid JSON at line 2");
        assertThat(read("app.json")).isEqualTo(JSON);
        assertThat(names()).containsExactly("app.json");
    }

    @Test
    void emptyInputForJsonIsRefused() throws IOException {
        Cli.Run run = Cli.runWithInput(" \n", "write", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("standard input is empty");
        assertThat(names()).isEmpty();
    }

    @Test
    void textThatIsNotUtf8IsRefusedAndTheFileKept() throws IOException {
        create("notes.txt", "old\n");
        byte[] latin1 = "caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1);
        Cli.Run run = Cli.runWithInput(latin1, "write", arg("notes.txt"), "--format", "text");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("not UTF-8").contains("byte 3").contains("--format bytes");
        assertThat(read("notes.txt")).isEqualTo("old\n");
        assertThat(names()).containsExactly("notes.txt");
    }

    @Test
    void largeTextWithCharactersSplitAcrossChunksIsCopiedAndABadByteDeepInsideIsFoundAtItsOffset()
            throws IOException {
        String checks = "\u2713".repeat(100_000) + "\n";   // 300,001 bytes: chunk edges fall inside characters
        Cli.Run good = Cli.runWithInput(checks, "write", arg("checks.txt"), "--format", "text");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(read("checks.txt")).isEqualTo(checks);

        byte[] bad = checks.getBytes(StandardCharsets.UTF_8);
        bad[200_001] = (byte) 0xFF;   // the first byte of the character at offset 200,001 (= 3 x 66,667)
        Cli.Run refused = Cli.runWithInput(bad, "write", arg("checks.txt"), "--format", "text");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(Main.INVALID);
        assertThat(refused.err()).contains("at byte 200001 ");
        assertThat(read("checks.txt")).isEqualTo(checks);
    }

    @Test
    void textCutOffInTheMiddleOfACharacterIsRefused() throws IOException {
        byte[] cut = {'o', 'k', (byte) 0xE2, (byte) 0x9C};
        Cli.Run run = Cli.runWithInput(cut, "write", arg("notes.txt"), "--format", "text");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(names()).isEmpty();
    }

    @Test
    void createNewRefusesAnExistingFile() throws IOException {
        create("owner.txt", "node-a\n");
        Cli.Run run = Cli.runWithInput("node-b\n", "write", arg("owner.txt"), "--create-new");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.CONFLICT);
        assertThat(run.err()).contains(dir.resolve("owner.txt").toString()).contains("already exists");
        assertThat(read("owner.txt")).isEqualTo("node-a\n");
        assertThat(names()).containsExactly("owner.txt");

        Cli.Run fresh = Cli.runWithInput("node-b\n", "write", arg("other.txt"), "--create-new");
        assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
        assertThat(read("other.txt")).isEqualTo("node-b\n");
    }

    @Test
    void expectSha256WritesOnlyWhenTheFileStillHasIt() throws IOException {
        create("state.txt", "v1\n");
        String v1 = AtomicFiles.checksum(dir.resolve("state.txt"));
        create("state.txt", "v2 by someone else\n");

        Cli.Run stale = Cli.runWithInput("v3\n", "write", arg("state.txt"), "--expect-sha256", v1);
        assertThat(stale.exitCode()).as(stale.toString()).isEqualTo(Main.CONFLICT);
        assertThat(stale.err()).isEqualTo("atomicfiles write: " + dir.resolve("state.txt") + " has changed: its SHA-256"
                + " is " + AtomicFiles.checksum(dir.resolve("state.txt")) + ", not " + v1
                + " (--expect-sha256); nothing written\n");
        assertThat(read("state.txt")).isEqualTo("v2 by someone else\n");

        String v2 = AtomicFiles.checksum(dir.resolve("state.txt"));
        Cli.Run current = Cli.runWithInput("v3\n", "write", arg("state.txt"), "--expect-sha256", v2.toUpperCase());
        assertThat(current.exitCode()).as(current.toString()).isZero();
        assertThat(read("state.txt")).isEqualTo("v3\n");
    }

    @Test
    void aMissingSourceIsNamedAndNothingIsWritten() throws IOException {
        Cli.Run run = Cli.run("write", arg("app.json"), "--from", arg("missing.yaml"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("atomicfiles write: no such file: " + dir.resolve("missing.yaml")
                + " (--from names a file that does not exist)" + System.lineSeparator());
        assertThat(names()).isEmpty();
    }

    @Test
    void aFolderAsTargetIsRefusedInOneLine() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Cli.Run run = Cli.runWithInput("x", "write", arg("sub"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("folder").contains(dir.resolve("sub").toString());
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Cli.Run run = Cli.runWithInput("x", "write", "-v", arg("sub"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("AtomicWriteException").contains("\tat ");
    }

    // ------------------------------------------------------------ usage errors: exit 2

    @ParameterizedTest
    @ValueSource(strings = {"--format=xml", "--expect-sha256=abc", "--durability=sometimes", "--bogus",
        "--input-format=json"})
    void usageErrorsExitTwoAndTouchNothing(String badOption) throws IOException {
        Cli.Run run = Cli.runWithInput("x", "write", arg("data.bin"), badOption);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).startsWith("atomicfiles write: ").contains("Try 'atomicfiles write --help'");
        assertThat(run.out()).isEmpty();
        assertThat(names()).isEmpty();
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        Cli.Run run = Cli.run("write");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'FILE'");
    }
}
