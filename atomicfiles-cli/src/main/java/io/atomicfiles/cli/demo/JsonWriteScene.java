package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON from plain Java maps and lists, indented by two, read back equal. */
final class JsonWriteScene implements Scene {

    /** The configuration the JSON and YAML scenes write. */
    static Map<String, Object> serviceConfig() {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("cpu", "500m");
        limits.put("memory", "256Mi");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("service", "billing");
        config.put("port", 8443);
        config.put("replicas", 3);
        config.put("tags", List.of("eu", "primary"));
        config.put("limits", limits);
        return config;
    }

    @Override
    public String title() {
        return "Atomic write of JSON";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path file = stage.file("service.json");
        stage.call("AtomicFiles.writeJson(service.json, Map.of(\"service\", \"billing\", \"port\", 8443, ...))");
        AtomicFiles.writeJson(file, serviceConfig());
        stage.showFile(file);
        stage.check("service.json parses back to the same data",
                Codecs.read(file, DataFormat.JSON).equals(Codecs.toTree(serviceConfig())));
        String text = Files.readString(file);
        stage.check("it is indented by two spaces and ends with a newline",
                text.startsWith("{\n  \"service\": \"billing\",\n") && text.endsWith("}\n"));
        stage.checkNoTempFiles();
    }
}
