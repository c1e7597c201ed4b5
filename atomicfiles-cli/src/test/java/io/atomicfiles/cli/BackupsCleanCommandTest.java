package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupsCleanCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    /** Backups 3 days, 30 hours and 1 hour old, an old file that is no backup, and an old backup in a subfolder. */
    @BeforeEach
    void files() throws IOException {
        aged("a.json.backup", Duration.ofDays(3));
        aged("b.yaml.backup", Duration.ofHours(30));
        aged("c.json.backup", Duration.ofHours(1));
        aged("a.json", Duration.ofDays(3));
        aged("d.txt.deleted_backup", Duration.ofDays(3));
        Files.createDirectory(dir.resolve("sub"));
        aged("sub/e.backup", Duration.ofDays(3));
    }

    private void aged(String name, Duration age) throws IOException {
        Path file = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            // Folders' lock files (.atomicfiles.lock) are there by design.
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".atomicfiles.lock"))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void removesTheBackupsOlderThanTheAgeOnlyAndPrintsThem() throws IOException {
        Cli.Run run = Cli.run("backups", "clean", dir.toString(), "--older-than", "24h");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(names()).containsExactly("a.json", "c.json.backup", "d.txt.deleted_backup", "sub/e.backup");
        List<String> lines = run.out().lines().collect(Collectors.toList());
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("removed " + dir.resolve("a.json.backup") + "  (3d ");
        assertThat(lines.get(1)).startsWith("removed " + dir.resolve("b.yaml.backup") + "  (1d 6h");
        assertThat(lines.get(2)).isEqualTo("removed 2 files matching *.backup older than 24h in " + dir);
    }

    @Test
    void dryRunListsExactlyWhatARealRunRemovesAndRemovesNothing() throws IOException {
        List<String> before = names();
        Cli.Run dry = Cli.run("backups", "clean", dir.toString(), "--older-than", "PT24H", "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(names()).isEqualTo(before);
        assertThat(dry.out()).endsWith("would remove 2 files matching *.backup older than PT24H in " + dir
                + " (dry run: nothing removed)" + NL);

        Cli.Run real = Cli.run("backups", "clean", dir.toString(), "--older-than", "PT24H");
        assertThat(real.exitCode()).as(real.toString()).isZero();
        List<String> wouldGo = dry.out().lines().filter(l -> l.startsWith("would remove " + dir))
                .map(l -> l.substring("would remove ".length(), l.indexOf("  (")))
                .collect(Collectors.toList());
        List<String> went = real.out().lines().filter(l -> l.startsWith("removed " + dir))
                .map(l -> l.substring("removed ".length(), l.indexOf("  (")))
                .collect(Collectors.toList());
        assertThat(wouldGo).hasSize(2).isEqualTo(went);
        for (String gone : went) {
            assertThat(Path.of(gone)).doesNotExist();
        }
    }

    @Test
    void anotherGlobAndAnotherAge() throws IOException {
        Cli.Run run = Cli.run("backups", "clean", dir.toString(), "--older-than", "2d", "--glob", "*.deleted_backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(names()).doesNotContain("d.txt.deleted_backup").contains("a.json.backup", "b.yaml.backup");
        assertThat(run.out()).endsWith("removed 1 file matching *.deleted_backup older than 2d in " + dir + NL);
    }

    @Test
    void nothingOldEnoughIsNotAnError() throws IOException {
        List<String> before = names();
        Cli.Run run = Cli.run("backups", "clean", dir.toString(), "--older-than", "1w");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("removed 0 files matching *.backup older than 1w in " + dir + NL);
        assertThat(names()).isEqualTo(before);
    }

    @Test
    void aMissingFolderOrAFileIsAnError() throws IOException {
        List<String> before = names();
        Cli.Run missing = Cli.run("backups", "clean", dir.resolve("nope").toString(), "--older-than", "1d");
        Cli.Run file = Cli.run("backups", "clean", dir.resolve("a.json").toString(), "--older-than", "1d", "-n");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no such folder: " + dir.resolve("nope"));
        assertThat(file.exitCode()).isEqualTo(1);
        assertThat(file.err()).contains("not a folder: " + dir.resolve("a.json"));
        assertThat(names()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"24", "24x", "h", "-1h", "P-1D", "1.5h", "forever", "99999999999999999999d"})
    void aBadAgeIsAUsageErrorAndRemovesNothing(String age) throws IOException {
        List<String> before = names();
        Cli.Run run = Cli.run("backups", "clean", dir.toString(), "--older-than", age);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--older-than");
        assertThat(names()).isEqualTo(before);
    }

    @Test
    void aBadGlobOrNoAgeOrNoSubcommandIsAUsageError() throws IOException {
        List<String> before = names();
        Cli.Run glob = Cli.run("backups", "clean", dir.toString(), "--older-than", "1h", "--glob", "[a");
        Cli.Run noAge = Cli.run("backups", "clean", dir.toString());
        Cli.Run noCommand = Cli.run("backups");
        assertThat(glob.exitCode()).isEqualTo(2);
        assertThat(glob.err()).contains("--glob '[a' is not a valid pattern");
        assertThat(noAge.exitCode()).isEqualTo(2);
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.err()).contains("Missing a command: list, clean");
        assertThat(names()).isEqualTo(before);
    }
}
