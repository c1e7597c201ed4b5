package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.ArrayMerge;
import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.AuditTrail;
import io.atomicfiles.MergeOptions;
import io.atomicfiles.MergeResult;
import io.atomicfiles.MergeStrategy;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atomicConfigMerge}: each strategy, arrays, nulls, type conflicts, mixed formats, bad inputs. */
class ConfigMergeTest {
    @TempDir
    Path dir;

    private final AtomicFileOperations ops = new AtomicFileOperations(AuditTrail.inMemory(),
            WriteOptions.builder().showProgress(false).build());

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private Map<String, Object> json(String text) {
        return Codecs.toMap((tools.jackson.databind.node.ObjectNode) Codecs.json().readTree(text));
    }

    private MergeResult merge(MergeOptions options, Path... inputs) throws IOException {
        return ops.atomicConfigMerge(List.of(inputs), dir.resolve("out.json"), options);
    }

    private Map<String, Object> written() throws IOException {
        return Codecs.readMap(dir.resolve("out.json"), DataFormat.JSON);
    }

    @Test
    void deepMergesNestedObjectsAndLaterScalarsWin() throws IOException {
        Path base = file("base.json", "{\"db\": {\"host\": \"localhost\", \"port\": 5432, \"pool\": {\"min\": 1, \"max\": 5}},"
                + " \"name\": \"app\"}");
        Path env = file("env.json", "{\"db\": {\"host\": \"db.prod\", \"pool\": {\"max\": 50}}, \"debug\": false}");
        Map<String, Object> merged = ops.atomicConfigMerge(List.of(base, env), dir.resolve("out.json"));
        Map<String, Object> expected = json("{\"db\": {\"host\": \"db.prod\", \"port\": 5432, \"pool\": {\"min\": 1,"
                + " \"max\": 50}}, \"name\": \"app\", \"debug\": false}");
        assertThat(merged).isEqualTo(expected);
        assertThat(written()).isEqualTo(expected);
    }

    @Test
    void deepReplacesArraysWholeByDefault() throws IOException {
        Path a = file("a.json", "{\"hosts\": [\"a\", \"b\"], \"nested\": {\"ports\": [1, 2]}}");
        Path b = file("b.json", "{\"hosts\": [\"b\", \"c\"], \"nested\": {\"ports\": [3]}}");
        merge(MergeOptions.defaults(), a, b);
        assertThat(written()).isEqualTo(json("{\"hosts\": [\"b\", \"c\"], \"nested\": {\"ports\": [3]}}"));
    }

    @Test
    void deepAppendsOrUnitesArraysWhenAsked() throws IOException {
        Path a = file("a.json", "{\"hosts\": [\"a\", \"b\"], \"nested\": {\"ports\": [1, 2]}}");
        Path b = file("b.json", "{\"hosts\": [\"b\", \"c\"], \"nested\": {\"ports\": [2, 3]}}");
        merge(MergeOptions.builder().arrays(ArrayMerge.APPEND).build(), a, b);
        assertThat(written()).isEqualTo(json("{\"hosts\": [\"a\", \"b\", \"b\", \"c\"], \"nested\": {\"ports\": [1, 2, 2, 3]}}"));
        merge(MergeOptions.builder().arrays(ArrayMerge.UNION).build(), a, b);
        assertThat(written()).isEqualTo(json("{\"hosts\": [\"a\", \"b\", \"c\"], \"nested\": {\"ports\": [1, 2, 3]}}"));
    }

    @Test
    void unionComparesObjectElementsAsJson() throws IOException {
        Path a = file("a.json", "{\"users\": [{\"id\": 1}, {\"id\": 2}]}");
        Path b = file("b.json", "{\"users\": [{\"id\": 2}, {\"id\": 3}]}");
        merge(MergeOptions.builder().arrays(ArrayMerge.UNION).build(), a, b);
        assertThat(written()).isEqualTo(json("{\"users\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}"));
    }

    @Test
    void deepKeepsALaterNullAsNull() throws IOException {
        Path a = file("a.json", "{\"x\": 1, \"y\": 2}");
        Path b = file("b.json", "{\"x\": null}");
        merge(MergeOptions.defaults(), a, b);
        assertThat(Files.readString(dir.resolve("out.json"))).contains("\"x\": null");
        assertThat(written()).containsEntry("x", null).containsEntry("y", 2);
    }

    @Test
    void shallowReplacesTopLevelValuesWhole() throws IOException {
        Path a = file("a.json", "{\"db\": {\"host\": \"localhost\", \"port\": 5432}, \"tags\": [\"x\"], \"keep\": true}");
        Path b = file("b.json", "{\"db\": {\"host\": \"db.prod\"}, \"tags\": [\"y\"]}");
        merge(MergeOptions.of(MergeStrategy.SHALLOW), a, b);
        assertThat(written()).isEqualTo(json("{\"db\": {\"host\": \"db.prod\"}, \"tags\": [\"y\"], \"keep\": true}"));
        merge(MergeOptions.builder().strategy(MergeStrategy.SHALLOW).arrays(ArrayMerge.APPEND).build(), a, b);
        assertThat(written()).containsEntry("tags", List.of("x", "y"));
    }

    @Test
    void mergePatchAppliesEachLaterFileAsAnRfc7396Patch() throws IOException {
        // The example of RFC 7396, section 3.
        Path target = file("target.json", "{\"title\": \"Goodbye!\", \"author\": {\"givenName\": \"John\","
                + " \"familyName\": \"Doe\"}, \"tags\": [\"example\", \"sample\"], \"content\": \"This will be unchanged\"}");
        Path patch = file("patch.json", "{\"title\": \"Hello!\", \"phoneNumber\": \"+01-123-456-7890\","
                + " \"author\": {\"familyName\": null}, \"tags\": [\"example\"]}");
        Path second = file("second.yaml", "content: null\nauthor:\n  givenName: Jane\n");
        merge(MergeOptions.builder().strategy(MergeStrategy.MERGE_PATCH).arrays(ArrayMerge.APPEND).build(),
                target, patch, second);
        assertThat(written()).isEqualTo(json("{\"title\": \"Hello!\", \"author\": {\"givenName\": \"Jane\"},"
                + " \"tags\": [\"example\"], \"phoneNumber\": \"+01-123-456-7890\"}"));
    }

    @Test
    void typeConflictIsWonByTheLaterFileAndWarnedWithTheKeyPath() throws IOException {
        Path a = file("a.json", "{\"server\": {\"tls\": {\"cert\": \"a.pem\"}, \"port\": 80}, \"mode\": \"x\"}");
        Path b = file("b.yaml", "server:\n  tls: false\n  port: 8080\nmode:\n  kind: y\n");
        MergeResult result = merge(MergeOptions.defaults(), a, b);
        assertThat(written()).isEqualTo(json("{\"server\": {\"tls\": false, \"port\": 8080}, \"mode\": {\"kind\": \"y\"}}"));
        assertThat(result.warnings()).hasSize(2);
        assertThat(result.warnings().get(0)).contains("'server.tls'").contains("an object replaced by a boolean")
                .contains("b.yaml");
        assertThat(result.warnings().get(1)).contains("'mode'").contains("replaced by an object");
    }

    @Test
    void mergePatchWarnsWhenAnObjectReplacesAScalar() throws IOException {
        Path a = file("a.json", "{\"limits\": 5}");
        Path b = file("b.json", "{\"limits\": {\"cpu\": 2}}");
        MergeResult result = merge(MergeOptions.of(MergeStrategy.MERGE_PATCH), a, b);
        assertThat(written()).isEqualTo(json("{\"limits\": {\"cpu\": 2}}"));
        assertThat(result.warnings()).singleElement().asString().contains("'limits'");
    }

    @Test
    void jsonAndYamlMixAndTheOutputFormatFollowsItsExtension() throws IOException {
        Path a = file("a.yml", "name: app\nfeatures:\n  search: true\n");
        Path b = file("b.json", "{\"features\": {\"beta\": true}}");
        Path out = dir.resolve("merged.yaml");
        Map<String, Object> merged = ops.atomicConfigMerge(List.of(a, b), out, MergeStrategy.DEEP);
        assertThat(Files.readString(out)).isEqualTo("name: app\nfeatures:\n  search: true\n  beta: true\n");
        assertThat(Codecs.readMap(out, DataFormat.YAML)).isEqualTo(merged);
    }

    @Test
    void missingInputsAreSkippedWithAWarning() throws IOException {
        Path a = file("a.json", "{\"a\": 1}");
        Path missing = dir.resolve("local.json");
        MergeResult result = merge(MergeOptions.defaults(), a, missing);
        assertThat(written()).isEqualTo(Map.of("a", 1));
        assertThat(result.skipped()).containsExactly(missing);
        assertThat(result.inputs()).containsExactly(a);
        assertThat(result.warnings()).singleElement().asString().contains("local.json").contains("skipped");
    }

    @Test
    void noInputAtAllIsAnErrorAndWritesNothing() {
        assertThatThrownBy(() -> merge(MergeOptions.defaults(), dir.resolve("x.json"), dir.resolve("y.yaml")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("none of the 2 inputs exists");
        assertThat(dir.resolve("out.json")).doesNotExist();
    }

    @Test
    void invalidInputNamesTheFileAndLineAndLeavesTheOutputAlone() throws IOException {
        Path out = file("out.json", "{\"old\": true}\n");
        Path good = file("good.json", "{\"a\": 1}");
        Path bad = file("bad.json", "{\n  \"a\": 1,\n  \"b\": [1, 2\n}\n");
        assertThatThrownBy(() -> merge(MergeOptions.defaults(), good, bad))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("line 4");
        Path badYaml = file("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n");
        assertThatThrownBy(() -> merge(MergeOptions.defaults(), good, badYaml))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("bad.yaml").hasMessageMatching("(?s).*line [34].*");
        assertThat(Files.readString(out)).isEqualTo("{\"old\": true}\n");
    }

    @Test
    void aTopLevelThatIsNoObjectIsRefused() throws IOException {
        Path list = file("list.json", "[1, 2]");
        assertThatThrownBy(() -> merge(MergeOptions.defaults(), list))
                .isInstanceOf(ValidationException.class).hasMessageContaining("list.json")
                .hasMessageContaining("expected an object");
    }

    @Test
    void unknownExtensionsAreRefusedBeforeAnythingIsWritten() throws IOException {
        Path a = file("a.json", "{\"a\": 1}");
        Path ini = file("a.ini", "a=1");
        assertThatThrownBy(() -> ops.atomicConfigMerge(List.of(a), dir.resolve("out.txt")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out.txt");
        assertThatThrownBy(() -> ops.atomicConfigMerge(List.of(a, ini), dir.resolve("out.json")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.ini");
        assertThat(dir.resolve("out.json")).doesNotExist();
    }

    @Test
    void aSchemaViolationWritesNothing() throws IOException {
        Path a = file("a.json", "{\"port\": \"eighty\"}");
        Map<String, Object> schema = Map.of("type", "object",
                "properties", Map.of("port", Map.of("type", "integer")));
        assertThatThrownBy(() -> merge(MergeOptions.builder().schema(schema).build(), a))
                .isInstanceOf(ValidationException.class).hasMessageContaining("$.port");
        assertThat(dir.resolve("out.json")).doesNotExist();
    }

    @Test
    void theMergeIsRecordedInTheAudit() throws IOException {
        Path a = file("a.json", "{\"a\": 1}");
        merge(MergeOptions.defaults(), a);
        assertThat(ops.auditTrail().entries()).singleElement().satisfies(e -> {
            assertThat(e.operation()).isEqualTo("config_merge");
            assertThat(e.status()).isEqualTo("completed");
            assertThat(e.path()).isEqualTo(dir.resolve("out.json").toAbsolutePath());
            assertThat(e.sha256()).isEqualTo(io.atomicfiles.AtomicFiles.checksum(dir.resolve("out.json")));
        });
    }
}
