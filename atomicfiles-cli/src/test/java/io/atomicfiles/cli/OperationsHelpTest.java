package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The help of update, merge, rotate, backups and audit: listed in the main help, each complete. */
class OperationsHelpTest {

    @Test
    void theMainHelpListsTheCommands() {
        Cli.Run run = Cli.run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("  update ", "  merge ", "  rotate ", "  backups ", "  audit ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "update          | Usage: atomicfiles update | --set=PATH=VALUE",
        "merge           | Usage: atomicfiles merge  | --strategy=STRATEGY",
        "rotate          | Usage: atomicfiles rotate | at most N-1 rotated files remain",
        "backups clean   | Usage: atomicfiles backups clean | --older-than=AGE",
        "audit show      | Usage: atomicfiles audit show | --json",
        "audit summary   | Usage: atomicfiles audit summary | by its outcome",
        "audit verify    | Usage: atomicfiles audit verify | edited, removed or reordered"})
    void eachCommandsHelpHasUsageExitCodesAndItsOptions(String command, String usage, String detail) {
        String[] words = (command + " --help").split(" ");
        Cli.Run run = Cli.run(words);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(usage, detail, "Exit codes:");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void theGroupsListTheirCommands() {
        assertThat(Cli.run("backups", "--help").out()).contains("clean");
        assertThat(Cli.run("audit", "--help").out()).contains("show", "summary", "verify");
    }
}
