package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sed s/a/b/ app.conf | atomicfiles write app.conf}, with a {@code sed} that failed:
 * empty input must not replace a file that has content. It is refused (exit 4, the reason and
 * the way out named, the file as it was) unless {@code --allow-empty} says it is meant.
 */
class EmptyInputTest {
    @TempDir
    Path dir;

    @Test
    void emptyInputForAFileWithContentIsRefusedAndTheFileKept() throws IOException {
        Path conf = Files.writeString(dir.resolve("app.conf"), "port=8080\n");

        Cli.Run run = Cli.runWithInput("", "write", conf.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.err()).contains("input is empty").contains("--allow-empty").contains(conf.toString());
        assertThat(conf).hasContent("port=8080\n");
        assertThat(names()).containsExactly("app.conf");
    }

    @Test
    void anEmptySourceFileIsRefusedLikeEmptyStandardInput() throws IOException {
        Path conf = Files.writeString(dir.resolve("app.conf"), "port=8080\n");
        Path empty = Files.createFile(dir.resolve("new.conf"));

        Cli.Run run = Cli.run("write", conf.toString(), "--from", empty.toString(), "--format", "text");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.err()).contains("--allow-empty");
        assertThat(conf).hasContent("port=8080\n");
    }

    @Test
    void withAllowEmptyTheFileIsEmptied() throws IOException {
        Path conf = Files.writeString(dir.resolve("app.conf"), "port=8080\n");

        Cli.Run run = Cli.runWithInput("", "write", conf.toString(), "--allow-empty");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(conf).isEmptyFile();
        assertThat(dir.resolve("app.conf.backup")).hasContent("port=8080\n");
    }

    @Test
    void emptyInputForANewOrEmptyFileIsWritten() throws IOException {
        Path fresh = dir.resolve("fresh.txt");
        Path alreadyEmpty = Files.createFile(dir.resolve("empty.txt"));

        assertThat(Cli.runWithInput("", "write", fresh.toString()).exitCode()).isZero();
        assertThat(Cli.runWithInput("", "write", alreadyEmpty.toString()).exitCode()).isZero();

        assertThat(fresh).isEmptyFile();
        assertThat(alreadyEmpty).isEmptyFile();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // The folder's lock file (.atomicfiles.lock) is there by design.
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".atomicfiles.lock")).sorted()
                    .toList();
        }
    }
}
