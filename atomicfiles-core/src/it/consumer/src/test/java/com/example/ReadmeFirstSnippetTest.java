package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first snippet, run by a project that depends on atomicfiles as the README says. */
class ReadmeFirstSnippetTest {
    /** config.json as written: two-space indent, a newline at the end; Map.of has no fixed order. */
    private static final List<String> FIRST_CONFIG = List.of(
            "{\n  \"version\": 2,\n  \"name\": \"demo\"\n}\n",
            "{\n  \"name\": \"demo\",\n  \"version\": 2\n}\n");

    @TempDir
    Path dir;

    private void readmeSnippet() throws IOException {
        // README.md, first ```java block (ReadmeConsumerProjectsTest checks that it is the same):
        Path config = dir.resolve("config.json");
        AtomicFiles.writeJson(config, Map.of("version", 2, "name", "demo"));
        AtomicFiles.writeText(dir.resolve("notes.txt"), "hello\n");
        // end of the block
    }

    @Test
    void theFilesHoldWhatTheSnippetWroteAndTheOldContentIsKeptAsABackup() throws IOException {
        readmeSnippet();
        String first = read("config.json");
        assertTrue(FIRST_CONFIG.contains(first), "config.json holds " + first);
        assertEquals("hello\n", read("notes.txt"));

        readmeSnippet();
        assertEquals(first, read("config.json.backup"), "the previous content, kept as config.json.backup");
        assertEquals("hello\n", read("notes.txt.backup"));
        assertEquals(List.of(), tempFiles(), "temp files left behind");
    }

    private String read(String name) throws IOException {
        return new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8);
    }

    private List<String> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.contains(".tmp-"))
                    .collect(Collectors.toList());
        }
    }
}
