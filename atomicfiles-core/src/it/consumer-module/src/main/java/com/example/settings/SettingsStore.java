package com.example.settings;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Saves an application's settings with atomicfiles: every part of the library a user's module reaches. */
public final class SettingsStore {
    private static final Map<String, Object> SCHEMA = Map.of(
            "type", "object",
            "required", List.of("name"),
            "properties", Map.of("name", Map.of("type", "string"), "since", Map.of("type", "string", "format", "date-time")));

    private final Path dir;

    public SettingsStore(Path dir) {
        this.dir = dir;
    }

    /** app.json, checked against a JSON Schema first (networknt, Jackson). */
    public void saveJson(Map<String, Object> settings) throws IOException {
        AtomicFiles.writeJson(dir.resolve("app.json"), settings, WriteOptions.builder().schema(SCHEMA).build());
    }

    /** app.yaml and motd.txt together, in one transaction (Jackson's YAML module, the journal). */
    public void saveTogether(Map<String, Object> settings, String motd) throws IOException {
        try (FileTransaction tx = new FileTransaction()) {
            tx.addWrite(dir.resolve("app.yaml"), settings, ContentType.YAML);
            tx.addWrite(dir.resolve("motd.txt"), motd, ContentType.TEXT);
            tx.commit();
        }
    }
}
