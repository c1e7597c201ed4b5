package io.atomicfiles.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    private record Run(int exitCode, String out, String err) {
        /** The temp folder the demo announced on its "demo folder:" line. */
        Path folder() {
            return out.lines().filter(line -> line.startsWith("demo folder:")).findFirst()
                    .map(line -> Path.of(line.substring("demo folder:".length()).trim()))
                    .orElseThrow(() -> new AssertionError("no 'demo folder:' line in\n" + out));
        }
    }

    private static Run run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void theWholeDemoPassesAndRemovesItsFolder() {
        Run run = run(Main.commandLine(new ByteArrayInputStream(new byte[0])), "demo");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("[FAILED]")
                .contains("All " + Scenes.all().size() + " scenes passed.");
        for (int i = 1; i <= Scenes.all().size(); i++) {
            assertThat(run.out()).contains("[" + i + "/" + Scenes.all().size() + "] ");
        }
        assertThat(run.err()).isEmpty();
        assertThat(run.folder()).doesNotExist();
    }

    @Test
    void keepLeavesEachScenesFilesInPlace() throws IOException {
        Scene one = new TextWriteScene();
        Run run = run(new CommandLine(new DemoCommand(List.of(one))), "--keep");
        try {
            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(run.folder().resolve("01-atomic-write-of-a-text-file/notes.txt")).isRegularFile();
            assertThat(run.out()).contains("The demo folder is kept: " + run.folder());
        } finally {
            deleteTree(run.folder());
        }
    }

    @Test
    void aFailedCheckFailsTheDemoAndIsNamedWhileTheOtherScenesStillPlay() {
        Scene failing = new Scene() {
            @Override
            public String title() {
                return "A scene whose claim does not hold";
            }

            @Override
            public void play(Stage stage) {
                stage.check("one and one make three", 1 + 1 == 3);
            }
        };
        Scene throwing = new Scene() {
            @Override
            public String title() {
                return "A scene that throws";
            }

            @Override
            public void play(Stage stage) throws IOException {
                throw new java.nio.file.NoSuchFileException(stage.file("gone.txt").toString());
            }
        };
        Run run = run(new CommandLine(new DemoCommand(List.of(failing, throwing, new TextWriteScene()))));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out())
                .contains("[FAILED] one and one make three")
                .contains("[FAILED] the scene ran to its end; it failed with NoSuchFileException: no such file: gone.txt")
                .contains("[3/3] Atomic write of a text file")
                .contains("2 of 3 scenes FAILED: A scene whose claim does not hold (1 failed check); "
                        + "A scene that throws (1 failed check)");
        assertThat(run.folder()).doesNotExist();
    }

    @Test
    void theStateFolderTheUserChoseIsKept() {
        String chosen = System.getProperty("atomicfiles.stateDir");
        Run run = run(new CommandLine(new DemoCommand(List.of(new TextWriteScene()))));
        assertThat(run.exitCode()).isZero();
        assertThat(System.getProperty("atomicfiles.stateDir")).isEqualTo(chosen);
        if (chosen != null) {
            assertThat(run.out()).contains("state folder: " + Path.of(chosen).toAbsolutePath());
        }
    }

    @Test
    void slugsAreShortFolderNames() {
        assertThat(DemoCommand.slug("A schema violation is rejected; the file stays as it was"))
                .isEqualTo("a-schema-violation-is-rejected-the-file");
        assertThat(DemoCommand.slug("createNew refuses to overwrite")).isEqualTo("createnew-refuses-to-overwrite");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
