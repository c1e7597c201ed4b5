package io.atomicfiles.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code atomicfiles tx}: the transaction commands; {@code tx apply PLAN} is the one there is. */
@Command(name = "tx",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        header = "Multi-file transactions: several file changes that happen together or not at all.",
        synopsisHeading = "%nUsage: ",
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        subcommands = {TxApplyCommand.class},
        footerHeading = "%nSee also:%n",
        footer = {"  atomicfiles recover    finish what crashed transactions left behind"})
final class TxCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
