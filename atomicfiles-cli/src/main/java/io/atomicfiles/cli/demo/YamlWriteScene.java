package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;

/** The same data as YAML, in block style. */
final class YamlWriteScene implements Scene {

    @Override
    public String title() {
        return "Atomic write of YAML";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path file = stage.file("service.yaml");
        stage.call("AtomicFiles.writeYaml(service.yaml, <the same map as the JSON scene>)");
        AtomicFiles.writeYaml(file, JsonWriteScene.serviceConfig());
        stage.showFile(file);
        stage.check("service.yaml parses back to the same data",
                Codecs.read(file, DataFormat.YAML).equals(Codecs.toTree(JsonWriteScene.serviceConfig())));
        String text = Files.readString(file);
        stage.check("it is block-style YAML (no '---' marker, no {} or [] flow style)",
                !text.startsWith("---") && !text.contains("{") && !text.contains("["));
        stage.checkNoTempFiles();
    }
}
