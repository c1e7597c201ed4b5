package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open, write, commit or discard: a writer publishes exactly once, and only complete content. */
class WriterLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void checkedExceptionInTheScopedBodyLeavesTheTargetUntouched() throws IOException {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeBytes(new byte[] {9, 9});
            assertThat(Folders.tempFilesIn(dir)).hasSize(1);
            throw new IOException("boom");
        })).isInstanceOf(IOException.class).hasMessage("boom");

        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(Folders.names(dir)).containsExactly("data.bin");
    }

    @Test
    void runtimeExceptionInTheScopedBodyLeavesTheTargetUntouched() throws IOException {
        Path file = dir.resolve("data.json");
        Files.writeString(file, "{\"v\": 1}");

        assertThatThrownBy(() -> AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeText("{\"v\": ");
            throw new IllegalStateException("half-way");
        })).isInstanceOf(IllegalStateException.class).hasMessage("half-way");

        assertThat(Files.readString(file)).isEqualTo("{\"v\": 1}");
        assertThat(Folders.names(dir)).containsExactly("data.json");
    }

    @Test
    void exceptionInTheScopedBodyCreatesNoNewFile() throws IOException {
        Path file = dir.resolve("new.txt");

        assertThatThrownBy(() -> AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeText("never published");
            throw new UncheckedIOException(new IOException("disk on fire"));
        })).isInstanceOf(UncheckedIOException.class);

        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void scopedBodyThatReturnsCommits() throws IOException {
        Path file = dir.resolve("scoped.txt");
        Files.writeString(file, "old");

        AtomicFiles.write(file, w -> w.writeText("new"));

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("scoped.txt.backup"))).isEqualTo("old");
    }

    @Test
    void closeWithoutCommitDiscards() throws IOException {
        Path existing = dir.resolve("existing.txt");
        Path fresh = dir.resolve("fresh.txt");
        Files.writeString(existing, "old");

        try (AtomicWriter a = AtomicWriter.open(existing); AtomicWriter b = AtomicWriter.open(fresh)) {
            a.writeText("new");
            b.writeBytes(new byte[1000]);
            assertThat(Folders.tempFilesIn(dir)).hasSize(2);
        }

        assertThat(Files.readString(existing)).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("existing.txt");
    }

    @Test
    void closeTwiceAndCloseAfterCommitChangeNothing() throws IOException {
        Path file = dir.resolve("f.txt");
        AtomicWriter writer = AtomicWriter.open(file);
        writer.writeText("content");
        writer.commit();
        writer.close();
        writer.close();

        assertThat(Files.readString(file)).isEqualTo("content");
        assertThat(Folders.names(dir)).containsExactly("f.txt");
        // The lock was released: another writer gets the file at once.
        AtomicFiles.writeText(file, "again", WriteOptions.builder().lockTimeout(java.time.Duration.ZERO).build());
        assertThat(Files.readString(file)).isEqualTo("again");
    }

    @Test
    void commitTwiceAndWritesAfterCommitAreIllegalState() throws IOException {
        Path file = dir.resolve("once.txt");
        try (AtomicWriter writer = AtomicWriter.open(file)) {
            OutputStream early = writer.outputStream();
            writer.writeText("one");
            writer.commit();

            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeText("two")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeBytes(new byte[] {2})).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(writer::outputStream).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeJson(Map.of())).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> early.write(2)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.readString(file)).isEqualTo("one");
        assertThat(Folders.names(dir)).containsExactly("once.txt");
    }

    @Test
    void commitAfterCloseIsIllegalState() throws IOException {
        Path file = dir.resolve("closed.txt");
        AtomicWriter writer = AtomicWriter.open(file);
        writer.writeText("discarded");
        writer.close();

        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThat(Folders.names(dir)).isEmpty();
    }

    @Test
    void structuredDocumentsCannotBeMixedWithOtherContent() throws IOException {
        Path file = dir.resolve("doc.json");
        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeText("{");
            assertThatThrownBy(() -> writer.writeJson(Map.of("a", 1))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeYaml(Map.of("a", 1))).isInstanceOf(IllegalStateException.class);
        }
        try (AtomicWriter writer = AtomicWriter.open(file)) {
            writer.writeJson(Map.of("a", 1));
            assertThatThrownBy(() -> writer.writeText("more")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeBytes(new byte[] {1})).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(writer::outputStream).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> writer.writeJson(Map.of("b", 2))).isInstanceOf(IllegalStateException.class);
            writer.commit();
        }
        assertThat(Files.readString(file)).isEqualTo("{\n  \"a\": 1\n}\n");
    }

    @Test
    void aDocumentThatFailsToSerialiseHalfWayCanNeverBePublished() throws IOException {
        // Jackson flushes what it has written before it reports the failure: the temp file then
        // holds half a document. Committing it anyway must not publish it.
        Path file = dir.resolve("half.json");
        Files.writeString(file, "{\"complete\": true}\n");
        Object poisoned = List.of("x".repeat(10_000), new Exploding());

        try (AtomicWriter writer = AtomicWriter.open(file)) {
            assertThatThrownBy(() -> writer.writeJson(poisoned)).isInstanceOf(IOException.class)
                    .hasMessageContaining("exploded");
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        }
        try (AtomicWriter writer = AtomicWriter.open(dir.resolve("half.yaml"))) {
            assertThatThrownBy(() -> writer.writeYaml(poisoned)).isInstanceOf(IOException.class);
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        }

        assertThat(Files.readString(file)).isEqualTo("{\"complete\": true}\n");
        assertThat(Folders.names(dir)).containsExactly("half.json");
    }

    @Test
    void aFailedSchemaCheckOfStructuredDataLeavesTheWriterUsable() throws IOException {
        // Nothing is written when the data fails its schema, so the caller may correct it.
        Path file = dir.resolve("user.json");
        WriteOptions options = WriteOptions.builder()
                .schema(Map.of("type", "object", "required", List.of("name"))).build();
        try (AtomicWriter writer = AtomicWriter.open(file, options)) {
            assertThatThrownBy(() -> writer.writeJson(Map.of("nom", "x")))
                    .isInstanceOf(io.atomicfiles.ValidationException.class);
            writer.writeJson(Map.of("name", "x"));
            writer.commit();
        }
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("{\n  \"name\": \"x\"\n}\n");
    }

    /** A bean whose property cannot be read. */
    public static final class Exploding {
        public String getValue() {
            throw new IllegalStateException("exploded");
        }
    }
}
