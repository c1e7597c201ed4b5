package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RotateCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("app.log");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // The folder's lock file (.atomicfiles.lock) is there by design.
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private String gunzip(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(name)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void rotatesWithGzipKeepingAtMostKeepMinusOneRotatedFiles() throws IOException {
        Cli.Run last = null;
        for (int i = 1; i <= 4; i++) {
            Files.writeString(log(), "day " + i + "\n");
            last = Cli.run("rotate", log().toString(), "--keep", "3", "--gzip");
            assertThat(last.exitCode()).as(last.toString()).isZero();
        }
        assertThat(names()).containsExactly("app.log.1.gz", "app.log.2.gz");
        assertThat(gunzip("app.log.1.gz")).isEqualTo("day 4\n");
        assertThat(gunzip("app.log.2.gz")).isEqualTo("day 3\n");
        assertThat(last.out()).isEqualTo("rotated " + log() + ": 2 rotated files (at most 2), newest first:" + NL
                + "  " + dir.resolve("app.log.1.gz") + NL + "  " + dir.resolve("app.log.2.gz") + NL);
    }

    @Test
    void withoutGzipTheRotatedFilesArePlain() throws IOException {
        Files.writeString(log(), "one\n");
        assertThat(Cli.run("rotate", log().toString(), "--keep", "5").exitCode()).isZero();
        Files.writeString(log(), "two\n");
        assertThat(Cli.run("rotate", log().toString(), "--keep", "5").exitCode()).isZero();
        assertThat(names()).containsExactly("app.log.1", "app.log.2");
        assertThat(Files.readString(dir.resolve("app.log.1"))).isEqualTo("two\n");
        assertThat(Files.readString(dir.resolve("app.log.2"))).isEqualTo("one\n");
    }

    @Test
    void keepOneRemovesTheFileAndItsRotatedFiles() throws IOException {
        Files.writeString(dir.resolve("app.log.1"), "older\n");
        Files.writeString(log(), "now\n");
        Cli.Run run = Cli.run("rotate", log().toString(), "--keep", "1");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("removed " + log() + " and its rotated files (--keep 1 keeps none)" + NL);
        assertThat(names()).isEmpty();
    }

    @Test
    void aMissingFileIsNothingToRotate() throws IOException {
        Files.writeString(dir.resolve("app.log.1"), "older\n");
        Cli.Run run = Cli.run("rotate", log().toString(), "--keep", "3");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith(log() + " does not exist: nothing to rotate");
        assertThat(names()).containsExactly("app.log.1");
        assertThat(Files.readString(dir.resolve("app.log.1"))).isEqualTo("older\n");
    }

    @Test
    void aFolderIsRefused() throws IOException {
        Files.createDirectory(log());
        Cli.Run run = Cli.run("rotate", log().toString(), "--keep", "3");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(log().toString()).contains("folder");
        assertThat(names()).containsExactly("app.log");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--keep=0", "--keep=-2", "--keep=many", "--gzip"})
    void aBadOrMissingKeepIsAUsageErrorAndTouchesNothing(String option) throws IOException {
        Files.writeString(log(), "now\n");
        Cli.Run run = Cli.run("rotate", log().toString(), option);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--keep");
        assertThat(names()).containsExactly("app.log");
    }
}
