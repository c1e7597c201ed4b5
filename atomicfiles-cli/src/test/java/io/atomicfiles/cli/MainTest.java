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

    /**
     * A run builds only the command it names: what it prints is the same as with every command
     * built, for each command's help, for --version, for a mistyped command and for none.
     */
    @Test
    void aRunOfOneCommandBehavesAsTheWholeCommandLine() {
        List<List<String>> commands = new ArrayList<>();
        collect(Main.commandLine(System.in), new ArrayList<>(), commands);
        List<String[]> runs = new ArrayList<>();
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            runs.add(args.toArray(String[]::new));
        }
        runs.add(new String[] {"--version"});
        runs.add(new String[] {"-v", "--version"});
        runs.add(new String[] {"wirte", "x"});
        runs.add(new String[] {});
        runs.add(new String[] {"-q"});
        runs.add(new String[] {"help", "write"});
        runs.add(new String[] {"write"});
        runs.add(new String[] {"verify", "--bogus"});
        for (String[] args : runs) {
            assertThat(run(Main.commandLine(System.in, args), args)).as(String.join(" ", args))
                    .isEqualTo(run(Main.commandLine(System.in), args));
        }
        assertThat(Main.commandLine(System.in, new String[] {"write", "x"}).getSubcommands()).containsOnlyKeys("write");
        assertThat(Main.commandLine(System.in, new String[] {"--version"}).getSubcommands()).isEmpty();
    }

    private static String run(CommandLine commandLine, String[] args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return "exit " + exit + "\n" + out + "\n--- err:\n" + err;
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
