package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A JSON Schema violation writes nothing: the target keeps its bytes, no temp file, no backup. */
class SchemaTest {
    private static final String SCHEMA_JSON = """
            {
              "type": "object",
              "required": ["name", "owner"],
              "properties": {
                "name": {"type": "string"},
                "servers": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}}
                  }
                }
              }
            }
            """;
    private static final String SCHEMA_YAML = """
            type: object
            required: [name, owner]
            properties:
              name:
                type: string
              servers:
                type: array
                items:
                  type: object
                  properties:
                    port:
                      type: integer
                      minimum: 1
                      maximum: 65535
            """;

    @TempDir
    Path dir;

    /** The same schema in every shape the API accepts. */
    static Stream<Arguments> schemaShapes() {
        return Stream.of(
                Arguments.of("Map", (SchemaSource) d -> Codecs.json().readValue(SCHEMA_JSON, Map.class)),
                Arguments.of("JsonNode", (SchemaSource) d -> Codecs.json().readTree(SCHEMA_JSON)),
                Arguments.of("JSON string", (SchemaSource) d -> SCHEMA_JSON),
                Arguments.of("Path to .json", (SchemaSource) d -> Files.writeString(d.resolve("schema.json"), SCHEMA_JSON)),
                Arguments.of("Path to .yaml", (SchemaSource) d -> Files.writeString(d.resolve("schema.yaml"), SCHEMA_YAML)));
    }

    @FunctionalInterface
    interface SchemaSource {
        Object make(Path folder) throws IOException;
    }

    @ParameterizedTest(name = "schema as {0}")
    @MethodSource("schemaShapes")
    void violationWritesNothingAndListsEveryViolationWithItsPath(String shape, SchemaSource source) throws IOException {
        Path schemaFolder = Files.createDirectory(dir.resolve("schemas"));
        Path work = Files.createDirectory(dir.resolve("work"));
        WriteOptions options = WriteOptions.builder().schema(source.make(schemaFolder)).build();
        Path file = work.resolve("app.json");
        Files.writeString(file, "{\"old\": true}\n");

        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("name", 42);
        bad.put("servers", List.of(Map.of("port", 80), Map.of("port", 0), Map.of("port", "http")));

        assertThatThrownBy(() -> AtomicFiles.writeJson(file, bad, options))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.getViolations()).extracting(ValidationException.Violation::path)
                            .containsExactlyInAnyOrder("$", "$.name", "$.servers[1].port", "$.servers[2].port");
                    assertThat(e.getViolations()).allSatisfy(v -> assertThat(v.message()).isNotBlank());
                    assertThat(e.getMessage()).contains(file.toString()).contains("$.servers[1].port");
                });
        assertThatThrownBy(() -> AtomicFiles.writeYaml(work.resolve("app.yaml"), bad, options))
                .isInstanceOf(ValidationException.class);

        assertThat(Files.readString(file)).isEqualTo("{\"old\": true}\n");
        assertThat(Folders.names(work)).containsExactly("app.json");

        Map<String, Object> good = Map.of("name", "web", "owner", "ops", "servers", List.of(Map.of("port", 443)));
        AtomicFiles.writeJson(file, good, options);
        AtomicFiles.writeYaml(work.resolve("app.yaml"), good, options);
        assertThat(Codecs.read(file, io.atomicfiles.format.DataFormat.JSON).get("name").asString()).isEqualTo("web");
        assertThat(Folders.names(work)).containsExactly("app.json", "app.json.backup", "app.yaml");
    }

    @Test
    void violationOfANewFileCreatesNothing() throws IOException {
        WriteOptions options = WriteOptions.builder().schema(SCHEMA_JSON).build();
        Path file = dir.resolve("nested/deeper/new.json");

        assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of("name", "x"), options))
                .isInstanceOf(ValidationException.class);

        assertThat(Files.exists(file)).isFalse();
        assertThat(Folders.tempFilesUnder(dir)).isEmpty();
    }

    @Test
    void invalidSchemaIsAnIllegalArgumentAndWritesNothing() throws IOException {
        Path file = dir.resolve("data.json");
        Files.writeString(file, "{}");
        List<Object> invalidSchemas = List.of(
                "{ this is not json",
                "[1, 2, 3]",
                Map.of("type", "no-such-type"),
                Map.of("type", "object", "minimum", "not a number", "required", "name"),
                42);
        for (Object schema : invalidSchemas) {
            assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of("name", "x"),
                    WriteOptions.builder().schema(schema).build()))
                    .as("schema %s", schema)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("schema"));
            assertThat(Files.readString(file)).isEqualTo("{}");
            assertThat(Folders.names(dir)).containsExactly("data.json");
        }
        // The message points into the schema, not at the data.
        assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of(),
                WriteOptions.builder().schema(Map.of("properties", Map.of("port", Map.of("type", "integr")))).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$.properties.port.type");
    }

    @Test
    void missingSchemaFileIsNamedInTheError() throws IOException {
        Path file = dir.resolve("data.json");
        Path missing = dir.resolve("no-such-schema.json");

        assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of(), WriteOptions.builder().schema(missing).build()))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void textContentIsCheckedAgainstTheSchemaAtCommit() throws IOException {
        WriteOptions options = WriteOptions.builder().schema(SCHEMA_JSON).build();
        Path file = dir.resolve("app.json");
        Files.writeString(file, "old");

        try (AtomicWriter writer = AtomicWriter.open(file, options)) {
            writer.writeText("{\"name\": \"web\",");
            writer.writeText(" \"servers\": [{\"port\": 99999}]}");
            assertThatThrownBy(writer::commit).isInstanceOfSatisfying(ValidationException.class, e ->
                    assertThat(e.getViolations()).extracting(ValidationException.Violation::path)
                            .containsExactlyInAnyOrder("$", "$.servers[0].port"));
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.readString(file)).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("app.json");
    }

    @Test
    void bytesAndStreamedContentAreCheckedAtCommitYamlByExtension() throws IOException {
        WriteOptions options = WriteOptions.builder().schema(SCHEMA_JSON).build();
        Path yaml = dir.resolve("app.yaml");
        Path json = dir.resolve("app.json");

        try (AtomicWriter writer = AtomicWriter.open(yaml, options)) {
            writer.writeBytes("name: web\nservers:\n  - port: 0\n".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(writer::commit).isInstanceOf(ValidationException.class);
        }
        try (AtomicWriter writer = AtomicWriter.open(json, options)) {
            writer.outputStream().write("{\"name\": [], \"owner\": \"x\"}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(writer::commit).isInstanceOfSatisfying(ValidationException.class,
                    e -> assertThat(e.getViolations()).extracting(ValidationException.Violation::path)
                            .containsExactly("$.name"));
        }
        assertThat(Folders.names(dir)).isEmpty();

        try (AtomicWriter writer = AtomicWriter.open(yaml, options)) {
            writer.writeBytes("name: web\nowner: ops\nservers:\n  - port: 8080\n".getBytes(StandardCharsets.UTF_8));
            writer.commit();
        }
        assertThat(Files.readString(yaml)).isEqualTo("name: web\nowner: ops\nservers:\n  - port: 8080\n");
    }

    @Test
    void contentThatDoesNotParseIsAValidationErrorAtCommit() throws IOException {
        WriteOptions options = WriteOptions.builder().schema(SCHEMA_JSON).build();
        Path file = dir.resolve("broken.json");

        try (AtomicWriter writer = AtomicWriter.open(file, options)) {
            writer.writeText("{\"name\": \"web\",\n \"owner\": }");
            assertThatThrownBy(writer::commit).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("line 2");
        }
        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void writeConfigPicksTheFormatByExtensionAndRefusesOthers() throws IOException {
        Map<String, Object> data = Map.of("name", "web", "owner", "ops");
        AtomicFiles.writeConfig(dir.resolve("c.json"), data, SCHEMA_JSON);
        AtomicFiles.writeConfig(dir.resolve("c.yml"), data, SCHEMA_JSON);
        assertThat(Files.readString(dir.resolve("c.json"))).startsWith("{\n  \"");
        assertThat(Files.readString(dir.resolve("c.yml"))).doesNotContain("{").contains("name: web\n");

        assertThatThrownBy(() -> AtomicFiles.writeConfig(dir.resolve("c.yml"), Map.of("name", 1), SCHEMA_JSON))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> AtomicFiles.writeConfig(dir.resolve("c.toml"), data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c.toml");
        assertThat(Folders.names(dir)).containsExactly("c.json", "c.yml");
    }
}
