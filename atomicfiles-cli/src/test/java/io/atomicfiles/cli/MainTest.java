package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void helpListsTheCommandsExitCodesAndExamples() {
        Cli.Run run = Cli.run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("write", "verify", "tx", "recover", "sweep", "demo", "Exit codes",
                "Examples:", "0   success", "1   the operation failed", "2   usage error",
                "3   a precondition failed or a race was lost", "4   the input was rejected",
                "5   an integrity check failed");
    }

    /** Help starts with its first line of text, as git's and ripgrep's do: no blank line above it. */
    @Test
    void noHelpStartsWithABlankLine() {
        List<List<String>> commands = new ArrayList<>();
        collect(Main.commandLine(System.in), new ArrayList<>(), commands);
        assertThat(commands).hasSizeGreaterThan(15);
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Cli.Run run = Cli.run(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(args.toString()).isZero();
            assertThat(run.out()).as(args.toString()).doesNotStartWith("\n").doesNotStartWith(" ")
                    .contains("Usage: atomicfiles");
        }
    }

    private static void collect(CommandLine commandLine, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        commandLine.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> deeper = new ArrayList<>(path);
                deeper.add(name);
                collect(sub, deeper, into);
            }
        });
    }

    @Test
    void helpCommandShowsACommandsOwnHelp() {
        Cli.Run run = Cli.run("help", "write");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: atomicfiles write", "--schema=SCHEMA", "--expect-sha256=HEX");
    }

    @Test
    void versionNamesTheProjectVersion() {
        Cli.Run run = Cli.run("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("atomicfiles ").doesNotContain("${project.version}")
                .doesNotContain("unknown version");
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Run run = Cli.run();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing a command").contains("Try 'atomicfiles --help'");
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Cli.Run run = Cli.run("wrte", "x.json");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("atomicfiles write");
        assertThat(run.out()).isEmpty();
    }
}
