package io.atomicfiles.cli;

import io.atomicfiles.AuditTrail;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code atomicfiles audit}: read and check an audit trail, the JSON Lines file of {@link AuditTrail}. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        header = "Show, sum up and verify an audit trail (a hash-chained JSON Lines file of operations).",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "An audit trail is written by programs using the library (AuditTrail.setGlobal,",
            "AtomicFileOperations) and by the commands given --audit FILE. Each line is one",
            "record and carries the hash of the line before it, so an edited, removed or",
            "reordered line shows. A trail rotated with 'atomicfiles rotate FILE' is read",
            "through its rotated files (FILE.1, FILE.2, ... or .gz), oldest first."},
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        subcommands = {AuditShowCommand.class, AuditSummaryCommand.class, AuditVerifyCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles update config.json --set debug=false --audit ops.audit",
            "  atomicfiles audit show ops.audit --last 20",
            "  atomicfiles audit summary ops.audit",
            "  atomicfiles audit verify ops.audit"})
final class AuditCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The trail's files, oldest first; none at all is an error naming {@code file}. */
    static List<Path> requireTrail(Path file) throws IOException {
        List<Path> files = AuditTrail.chainFiles(file);
        if (files.isEmpty()) {
            throw new NoSuchFileException(file.toString(), null, "no audit trail: neither it nor a rotated "
                    + file.getFileName() + ".1 exists");
        }
        return files;
    }
}
