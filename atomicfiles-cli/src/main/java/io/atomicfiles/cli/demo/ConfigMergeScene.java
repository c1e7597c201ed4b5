package io.atomicfiles.cli.demo;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/** {@code atomicfiles merge}: JSON and YAML inputs, a type conflict warned about, each strategy. */
final class ConfigMergeScene implements Scene {
    private static final String BASE = "{\n  \"server\": {\"host\": \"localhost\", \"port\": 8080},\n"
            + "  \"features\": [\"search\", \"export\"],\n  \"logging\": {\"level\": \"info\", \"file\": \"app.log\"},\n"
            + "  \"debug\": true\n}\n";
    private static final String PRODUCTION = "server:\n  port: 443\n  tls: true\nfeatures: [audit]\n"
            + "logging: warn        # an object in base.json: a type conflict\ndebug: null\n";

    @Override
    public String title() {
        return "Config merge: JSON and YAML, deep, shallow, merge-patch";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path base = Files.writeString(stage.file("base.json"), BASE);
        Path production = Files.writeString(stage.file("production.yaml"), PRODUCTION);
        stage.showFile(base);
        stage.showFile(production);

        stage.say("deep (the default): objects merge at every depth, the later file wins elsewhere;");
        stage.say("local.yaml does not exist and is skipped.");
        Path app = stage.file("app.json");
        Shell.Result deep = Shell.run(stage, "merge", base.toString(), production.toString(),
                stage.file("local.yaml").toString(), "-o", app.toString());
        stage.showFile(app);
        JsonNode merged = Codecs.read(app, DataFormat.JSON);
        stage.check("server merged: host from base.json, port and tls from production.yaml",
                deep.exitCode() == 0 && merged.at("/server/host").asString().equals("localhost")
                        && merged.at("/server/port").asInt() == 443 && merged.at("/server/tls").asBoolean());
        stage.check("the type conflict is resolved by the later file and named in a warning",
                merged.path("logging").asString().equals("warn") && deep.err().contains("type conflict at 'logging'"));
        stage.check("the missing input is named in a warning", deep.err().contains("local.yaml does not exist; skipped"));

        Path shallow = stage.file("shallow.yaml");
        Shell.run(stage, "merge", base.toString(), production.toString(), "-o", shallow.toString(), "--strategy", "shallow");
        JsonNode shallowResult = Codecs.read(shallow, DataFormat.YAML);
        stage.say("  -> " + shallowResult);
        stage.check("shallow: server is production.yaml's whole (no host); written as YAML",
                !shallowResult.path("server").has("host") && Files.readString(shallow).startsWith("server:\n"));

        Path patched = stage.file("patched.json");
        Shell.run(stage, "merge", base.toString(), production.toString(), "-o", patched.toString(), "--strategy",
                "merge-patch");
        JsonNode patchResult = Codecs.read(patched, DataFormat.JSON);
        stage.say("  -> " + patchResult);
        stage.check("merge-patch (RFC 7396): debug: null removed the key; deep had set it to null",
                !patchResult.has("debug") && merged.has("debug") && merged.get("debug").isNull());

        Path union = stage.file("union.json");
        Shell.run(stage, "merge", base.toString(), production.toString(), "-o", union.toString(), "--arrays", "union");
        JsonNode unionResult = Codecs.read(union, DataFormat.JSON);
        stage.say("  -> features: " + unionResult.path("features"));
        stage.check("--arrays union keeps base.json's features and adds production.yaml's",
                unionResult.path("features").toString().equals("[\"search\",\"export\",\"audit\"]"));
        stage.checkNoTempFiles();
    }
}
