package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsTheCommandsExitCodesAndExamples() {
        Cli.Run run = Cli.run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("write", "verify", "tx", "recover", "demo", "Exit codes:", "Examples:",
                "2   usage error");
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
