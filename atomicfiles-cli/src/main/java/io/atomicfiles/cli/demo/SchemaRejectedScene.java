package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** JSON Schema validation before anything is written: every violation listed, the file unchanged. */
final class SchemaRejectedScene implements Scene {
    private static final Map<String, Object> SCHEMA = Map.of(
            "type", "object",
            "required", List.of("name", "port"),
            "properties", Stage.map(
                    "name", Map.of("type", "string", "minLength", 1),
                    "port", Map.of("type", "integer", "minimum", 1, "maximum", 65535)));

    @Override
    public String title() {
        return "A schema violation is rejected; the file stays as it was";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path server = stage.file("server.json");
        WriteOptions options = WriteOptions.builder().schema(SCHEMA).build();
        stage.say("Schema: name is a non-empty string, port an integer from 1 to 65535, both required.");
        stage.call("AtomicFiles.writeJson(server.json, {name: api, port: 8080}, options.schema(schema))");
        AtomicFiles.writeJson(server, Stage.map("name", "api", "port", 8080), options);
        String before = AtomicFiles.checksum(server);
        stage.showFile(server);

        stage.call("AtomicFiles.writeJson(server.json, {name: 42, port: 70000}, options.schema(schema))");
        ValidationException rejected = stage.expectFailure("the write is refused with a ValidationException",
                ValidationException.class,
                () -> AtomicFiles.writeJson(server, Stage.map("name", 42, "port", 70000), options));
        if (rejected != null) {
            stage.say("violations, each with the JSON path of the offending value:");
            rejected.getViolations().forEach(violation -> stage.say("  " + violation));
            stage.check("both bad values are named ($.name and $.port)",
                    rejected.getViolations().stream().anyMatch(v -> v.path().equals("$.name"))
                            && rejected.getViolations().stream().anyMatch(v -> v.path().equals("$.port")));
        }
        stage.showFile(server);
        stage.check("server.json is unchanged (same SHA-256 as before)", AtomicFiles.checksum(server).equals(before));
        stage.showListing();
        stage.checkNoTempFiles();
    }
}
