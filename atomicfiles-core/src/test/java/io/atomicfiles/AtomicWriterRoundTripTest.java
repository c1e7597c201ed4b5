package io.atomicfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class AtomicWriterRoundTripTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void textRoundTripAndBackupHoldsOldBytes() throws IOException {
        Path file = dir.resolve("notes.txt");
        AtomicFiles.writeText(file, "first");
        WriteResult second = AtomicFiles.writeText(file, "second ✓");
        assertThat(Files.readString(file)).isEqualTo("second ✓");
        assertThat(Files.readString(dir.resolve("notes.txt.backup"))).isEqualTo("first");
        assertThat(second.sha256()).isEqualTo(AtomicFiles.checksum(file));
        assertThat(second.backup()).contains(dir.resolve("notes.txt.backup"));
        assertThat(names()).containsExactly("notes.txt", "notes.txt.backup");
    }

    @Test
    void jsonIsIndentedByTwoWithFinalNewline() throws IOException {
        Path file = dir.resolve("config.json");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "démo");
        data.put("ports", List.of(80, 443));
        data.put("empty", Map.of());
        AtomicFiles.writeJson(file, data);
        assertThat(Files.readString(file)).isEqualTo(
                "{\n  \"name\": \"démo\",\n  \"ports\": [\n    80,\n    443\n  ],\n  \"empty\": {}\n}\n");
    }

    @Test
    void yamlIsBlockStyleAndKeepsUnicode() throws IOException {
        Path file = dir.resolve("config.yaml");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "日本語");
        data.put("flag", "yes");
        data.put("list", List.of("a", "b"));
        AtomicFiles.writeYaml(file, data);
        String yaml = Files.readString(file);
        assertThat(yaml).contains("name: 日本語").doesNotStartWith("---");
        System.out.println(yaml);
    }

    @Test
    void schemaViolationWritesNothing() throws IOException {
        Path file = dir.resolve("user.json");
        Map<String, Object> schema = Map.of("type", "object", "required", List.of("name", "email"),
                "properties", Map.of("email", Map.of("type", "string", "format", "email")));
        WriteOptions options = WriteOptions.builder().schema(schema).build();
        assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of("email", "not-an-email"), options))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    System.out.println(e.getMessage());
                    assertThat(e.getViolations()).hasSize(2);
                });
        assertThat(names()).isEmpty();
    }

    @Test
    void bodyExceptionLeavesTargetUntouched() throws IOException {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeBytes(new byte[] {9, 9});
            throw new IOException("boom");
        })).hasMessage("boom");
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(names()).containsExactly("data.bin");
    }

    @Test
    void largeStreamedWriteVerifies() throws IOException {
        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        WriteResult result = AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            for (int i = 0; i < 150; i++) {
                w.outputStream().write(chunk);
            }
        });
        assertThat(Files.size(file)).isEqualTo(150L << 20);
        assertThat(result.sha256()).isEqualTo(AtomicFiles.checksum(file));
        assertThat(names()).containsExactly("big.bin");
        assertThat(new String(new byte[0], StandardCharsets.UTF_8)).isEmpty();
    }
}
