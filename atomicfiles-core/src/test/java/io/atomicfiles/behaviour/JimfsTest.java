package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Feature;
import com.google.common.jimfs.Jimfs;
import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import io.atomicfiles.format.Codecs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same behaviours on Jimfs, an in-memory NIO filesystem: nothing in the library may assume
 * the default filesystem (path strings, java.io.File, /proc) where the behaviour applies.
 */
class JimfsTest {
    private FileSystem fs;

    @AfterEach
    void closeFileSystem() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    /** Unix with POSIX modes, Unix with only basic attributes, Windows, and Unix without hard links. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("unix+posix", unixWithPosix()),
                Arguments.of("unix basic", Configuration.unix()),
                Arguments.of("windows", Configuration.windows()),
                Arguments.of("unix without hard links", unixWithoutHardLinks()));
    }

    static Configuration unixWithPosix() {
        return Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build();
    }

    static Configuration unixWithoutHardLinks() {
        return unixWithPosix().toBuilder()
                .setSupportedFeatures(Feature.SYMBOLIC_LINKS, Feature.SECURE_DIRECTORY_STREAM, Feature.FILE_CHANNEL)
                .build();
    }

    private Path workFolder(Configuration configuration) throws IOException {
        fs = Jimfs.newFileSystem(configuration);
        return Files.createDirectories(fs.getRootDirectories().iterator().next().resolve("work"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void roundTripsOfTextBytesJsonAndYaml(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", "démo 日本語");
        data.put("ports", List.of(80, 443));
        data.put("flag", "yes");

        AtomicFiles.writeText(dir.resolve("a.txt"), "héllo\n");
        AtomicFiles.writeBytes(dir.resolve("b.bin"), new byte[] {0, -1, 42});
        AtomicFiles.writeJson(dir.resolve("c.json"), data);
        AtomicFiles.writeYaml(dir.resolve("d.yaml"), data);

        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("héllo\n");
        assertThat(Files.readAllBytes(dir.resolve("b.bin"))).containsExactly(0, -1, 42);
        assertThat(Files.readString(dir.resolve("c.json"))).isEqualTo(
                "{\n  \"name\": \"démo 日本語\",\n  \"ports\": [\n    80,\n    443\n  ],\n  \"flag\": \"yes\"\n}\n");
        Map<?, ?> yaml = Codecs.yaml().readValue(Files.readString(dir.resolve("d.yaml")), Map.class);
        assertThat(yaml).isEqualTo(data);
        assertThat(Folders.names(dir)).containsExactly("a.txt", "b.bin", "c.json", "d.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backupHoldsTheOldBytesAndIsReplacedByTheNextWrite(String shape, Configuration configuration)
            throws IOException {
        Path dir = workFolder(configuration);
        Path file = dir.resolve("state.txt");

        AtomicFiles.writeText(file, "one");
        WriteResult second = AtomicFiles.writeText(file, "two");
        assertThat(second.backup()).contains(dir.resolve("state.txt.backup"));
        assertThat(Files.readString(dir.resolve("state.txt.backup"))).isEqualTo("one");

        AtomicFiles.writeText(file, "three");
        assertThat(Files.readString(file)).isEqualTo("three");
        assertThat(Files.readString(dir.resolve("state.txt.backup"))).isEqualTo("two");
        assertThat(Folders.names(dir)).containsExactly("state.txt", "state.txt.backup");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void schemaFailureWritesNothing(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);
        Path schemaFile = Files.writeString(dir.resolve("schema.json"),
                "{\"type\": \"object\", \"required\": [\"name\"]}");
        Path file = Files.writeString(dir.resolve("app.json"), "{\"name\": \"old\"}");
        WriteOptions options = WriteOptions.builder().schema(schemaFile).build();

        assertThatThrownBy(() -> AtomicFiles.writeJson(file, Map.of("other", 1), options))
                .isInstanceOf(ValidationException.class);
        try (AtomicWriter writer = AtomicWriter.open(file, options)) {
            writer.writeText("{\"other\": 1}");
            assertThatThrownBy(writer::commit).isInstanceOf(ValidationException.class);
        }

        assertThat(Files.readString(file)).isEqualTo("{\"name\": \"old\"}");
        assertThat(Folders.names(dir)).containsExactly("app.json", "schema.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void failedOrAbandonedWritesLeaveNoTempFile(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);
        Path file = Files.writeString(dir.resolve("keep.txt"), "old");

        assertThatThrownBy(() -> AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeText("new");
            assertThat(Folders.tempFilesIn(dir)).hasSize(1);
            throw new IOException("changed my mind");
        })).hasMessage("changed my mind");
        try (AtomicWriter writer = AtomicWriter.open(dir.resolve("never.txt"))) {
            writer.writeBytes(new byte[100]);
        }

        assertThat(Files.readString(file)).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("keep.txt");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void nestedFoldersAreCreated(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);

        AtomicFiles.writeText(dir.resolve("x").resolve("y").resolve("z.txt"), "deep");

        assertThat(Files.readString(dir.resolve("x").resolve("y").resolve("z.txt"))).isEqualTo("deep");
        assertThat(Folders.tempFilesUnder(dir)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void symbolicLinkIsWrittenThrough(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), dir.relativize(real));

        AtomicFiles.writeText(link, "new");

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("new");
        assertThat(Files.readString(dir.resolve("real.txt.backup"))).isEqualTo("old");
        assertThat(Folders.names(dir)).containsExactly("link.txt", "real.txt", "real.txt.backup");

        Files.delete(real);
        assertThatThrownBy(() -> AtomicFiles.writeText(link, "x"))
                .isInstanceOf(AtomicWriteException.class).hasMessageContaining("dangling");
        assertThat(Files.exists(real, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void createNewRefusesAnExistingFile(String shape, Configuration configuration) throws IOException {
        Path dir = workFolder(configuration);
        WriteOptions createNew = WriteOptions.builder().createNew(true).build();
        Path taken = Files.writeString(dir.resolve("taken.txt"), "theirs");

        assertThatThrownBy(() -> AtomicFiles.writeText(taken, "mine", createNew))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(taken)).isEqualTo("theirs");

        Path fresh = dir.resolve("fresh.txt");
        try {
            AtomicFiles.writeText(fresh, "mine", createNew);
            assertThat(Files.readString(fresh)).isEqualTo("mine");
        } catch (AtomicWriteException e) {
            // Without hard links there is no atomic "create unless it exists" rename: refused, clearly.
            assertThat(shape).isEqualTo("unix without hard links");
            assertThat(e).hasMessageContaining("hard link");
            assertThat(Files.exists(fresh)).isFalse();
        }
        assertThat(Folders.tempFilesIn(dir)).isEmpty();
    }

    @Test
    void modesAreKeptAndTempFilesAreOwnerOnlyOnPosixJimfs() throws IOException {
        Path dir = workFolder(unixWithPosix());
        Path file = Files.writeString(dir.resolve("private.txt"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        AtomicFiles.write(file, WriteOptions.defaults(), w -> {
            w.writeText("new");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Folders.tempFilesIn(dir).get(0))))
                    .isEqualTo("rw-------");
        });

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("new");
    }

    @Test
    void copyAndMoveWithinJimfs() throws IOException {
        Path dir = workFolder(unixWithPosix());
        Path source = Files.writeString(dir.resolve("source.txt"), "payload");
        Path copy = dir.resolve("sub").resolve("copy.txt");

        AtomicFiles.copy(source, copy);
        Path moved = AtomicFiles.move(copy, dir.resolve("moved.txt"));

        assertThat(Files.readString(source)).isEqualTo("payload");
        assertThat(Files.readString(moved)).isEqualTo("payload");
        assertThat(Files.exists(copy)).isFalse();
        assertThat(Folders.tempFilesUnder(dir)).isEmpty();
    }
}
