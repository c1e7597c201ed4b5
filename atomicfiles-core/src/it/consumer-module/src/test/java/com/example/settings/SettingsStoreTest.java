package com.example.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs in the module com.example.settings, on the module path. */
class SettingsStoreTest {
    @TempDir
    Path dir;

    @Test
    void theLibraryAndWhatItNeedsAreModulesOnTheModulePath() {
        assertEquals("com.example.settings", SettingsStore.class.getModule().getName());
        assertEquals("io.atomicfiles", AtomicFiles.class.getModule().getName());
        assertEquals("tools.jackson.databind",
                ModuleLayer.boot().findModule("tools.jackson.databind").orElseThrow().getName());
    }

    @Test
    void jsonCheckedAgainstItsSchemaIsWritten() throws IOException {
        new SettingsStore(dir).saveJson(Map.of("name", "demo"));
        assertEquals("{\n  \"name\": \"demo\"\n}\n", read("app.json"));
    }

    @Test
    void aSchemaViolationWritesNothing() {
        SettingsStore store = new SettingsStore(dir);
        assertThrows(ValidationException.class, () -> store.saveJson(Map.of("name", "demo", "since", "yesterday")));
        assertFalse(Files.exists(dir.resolve("app.json")));
    }

    @Test
    void aTransactionWritesYamlAndTextTogether() throws IOException {
        new SettingsStore(dir).saveTogether(Map.of("replicas", 3), "welcome\n");
        assertEquals("replicas: 3\n", read("app.yaml"));
        assertEquals("welcome\n", read("motd.txt"));
    }

    private String read(String name) throws IOException {
        return new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8);
    }
}
