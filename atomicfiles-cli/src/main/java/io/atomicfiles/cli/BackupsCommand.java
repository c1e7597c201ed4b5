package io.atomicfiles.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code atomicfiles backups}: the commands about the NAME.backup files writes keep. */
@Command(name = "backups",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        header = "Manage the backups writes keep (NAME.backup beside NAME).",
        synopsisHeading = "%nUsage: ",
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        subcommands = {BackupsListCommand.class, BackupsCleanCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles backups list /etc/myapp",
            "  atomicfiles backups clean /etc/myapp --older-than 7d --dry-run",
            "  atomicfiles backups clean /etc/myapp --older-than 7d"})
final class BackupsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
