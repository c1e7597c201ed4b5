package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MergeCommandTest {
    private static final String BASE = "{\"server\": {\"host\": \"localhost\", \"port\": 80},"
            + " \"features\": [\"a\", \"b\"], \"logging\": {\"level\": \"info\"}, \"debug\": true}";
    private static final String PROD = "server:\n  port: 8443\n  tls: true\nfeatures: [c, a]\nlogging: quiet\ndebug: null\n";
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    @BeforeEach
    void inputs() throws IOException {
        Files.writeString(dir.resolve("base.json"), BASE);
        Files.writeString(dir.resolve("prod.yaml"), PROD);
    }

    private String arg(String name) {
        return dir.resolve(name).toString();
    }

    private String merged(String name) throws IOException {
        return Codecs.read(dir.resolve(name), DataFormat.of(dir.resolve(name)).orElseThrow()).toString();
    }

    @Test
    void deepMergeOfJsonAndYamlWarnsOfTheTypeConflictAndTheMissingInput() throws IOException {
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), arg("local.yaml"), "-o", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(merged("app.json")).isEqualTo("{\"server\":{\"host\":\"localhost\",\"port\":8443,\"tls\":true},"
                + "\"features\":[\"c\",\"a\"],\"logging\":\"quiet\",\"debug\":null}");
        assertThat(run.err()).isEqualTo(
                "atomicfiles merge: warning: type conflict at 'logging': an object replaced by a string (\"quiet\") from "
                        + dir.resolve("prod.yaml") + NL
                        + "atomicfiles merge: warning: input " + dir.resolve("local.yaml") + " does not exist; skipped"
                        + NL);
        String sha = AtomicFiles.checksum(dir.resolve("app.json"));
        assertThat(run.out()).isEqualTo("merged 2 of 3 inputs (deep, arrays replace) into " + dir.resolve("app.json")
                + ": 2 warnings; " + Files.size(dir.resolve("app.json")) + " bytes, sha256 " + sha + NL);
    }

    @Test
    void shallowReplacesTopLevelValuesWholeAndWritesYamlForAYamlOutput() throws IOException {
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("app.yaml"), "--strategy", "shallow");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readString(dir.resolve("app.yaml"))).isEqualTo(
                "server:\n  port: 8443\n  tls: true\nfeatures:\n- c\n- a\nlogging: quiet\ndebug: null\n");
        assertThat(run.out()).startsWith("merged 2 inputs (shallow, arrays replace) into ");
    }

    @Test
    void mergePatchRemovesKeysSetToNull() throws IOException {
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("app.json"), "--strategy",
                "merge-patch");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(merged("app.json")).isEqualTo("{\"server\":{\"host\":\"localhost\",\"port\":8443,\"tls\":true},"
                + "\"features\":[\"c\",\"a\"],\"logging\":\"quiet\"}");
        assertThat(run.out()).startsWith("merged 2 inputs (merge-patch) into ");
    }

    @Test
    void arraysCanBeUnitedOrAppended() throws IOException {
        Cli.Run union = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("u.json"), "--arrays", "union");
        Cli.Run append = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("a.json"), "--arrays", "APPEND");
        assertThat(union.exitCode()).as(union.toString()).isZero();
        assertThat(append.exitCode()).as(append.toString()).isZero();
        assertThat(merged("u.json")).contains("\"features\":[\"a\",\"b\",\"c\"]");
        assertThat(merged("a.json")).contains("\"features\":[\"a\",\"b\",\"c\",\"a\"]");
    }

    @Test
    void theOutputMayBeAnInputAndKeepsItsBackup() throws IOException {
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("base.json"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readString(dir.resolve("base.json.backup"))).isEqualTo(BASE);
        assertThat(run.out()).contains("backup " + dir.resolve("base.json.backup"));
    }

    // ------------------------------------------------------------ refusals: exit 1, the output as it was

    @Test
    void anInvalidInputIsNamedWithItsLineAndNothingIsWritten() throws IOException {
        Files.writeString(dir.resolve("app.json"), "{\"old\": true}\n");
        Files.writeString(dir.resolve("bad.yaml"), "a: 1\nb: [1, 2\nc: 3\n");
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("bad.yaml"), "-o", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(dir.resolve("bad.yaml") + " is not valid YAML at line 3");
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(dir.resolve("app.json"))).isEqualTo("{\"old\": true}\n");
        assertThat(dir.resolve("app.json.backup")).doesNotExist();
    }

    @Test
    void noExistingInputIsAnError() {
        Cli.Run run = Cli.run("merge", arg("x.json"), arg("y.yaml"), "-o", arg("app.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("none of the 2 inputs exists");
        assertThat(dir.resolve("app.json")).doesNotExist();
    }

    @Test
    void aSchemaViolationOfTheMergedDocumentWritesNothing() throws IOException {
        Files.writeString(dir.resolve("schema.json"), "{\"properties\": {\"logging\": {\"type\": \"object\"}}}");
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("app.json"), "--schema",
                arg("schema.json"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("$.logging: string found, object expected");
        assertThat(dir.resolve("app.json")).doesNotExist();
    }

    // ------------------------------------------------------------ usage errors: exit 2

    @ParameterizedTest
    @ValueSource(strings = {"--strategy=fancy", "--arrays=merge", "--schema"})
    void badOptionsAreUsageErrors(String badOption) {
        Cli.Run run = Cli.run("merge", arg("base.json"), "-o", arg("app.json"), badOption);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(dir.resolve("app.json")).doesNotExist();
    }

    @Test
    void arraysDoNotApplyToMergePatch() {
        Cli.Run run = Cli.run("merge", arg("base.json"), arg("prod.yaml"), "-o", arg("app.json"), "--strategy",
                "merge_patch", "--arrays", "union");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--arrays applies to the deep and shallow strategies");
        assertThat(dir.resolve("app.json")).doesNotExist();
    }

    @Test
    void extensionsOtherThanJsonAndYamlAndAMissingOutputAreUsageErrors() throws IOException {
        Files.writeString(dir.resolve("base.ini"), "a=1\n");
        Cli.Run badOutput = Cli.run("merge", arg("base.json"), "-o", arg("app.txt"));
        Cli.Run badInput = Cli.run("merge", arg("base.ini"), "-o", arg("app.json"));
        Cli.Run noOutput = Cli.run("merge", arg("base.json"));
        assertThat(badOutput.exitCode()).isEqualTo(2);
        assertThat(badOutput.err()).contains("app.txt: cannot tell JSON from YAML by its name");
        assertThat(badInput.exitCode()).isEqualTo(2);
        assertThat(badInput.err()).contains("base.ini: cannot tell JSON from YAML by its name");
        assertThat(noOutput.exitCode()).isEqualTo(2);
        assertThat(noOutput.err()).contains("Missing required option: '--output=OUT'");
        assertThat(dir.resolve("app.txt")).doesNotExist();
        assertThat(dir.resolve("app.json")).doesNotExist();
    }
}
