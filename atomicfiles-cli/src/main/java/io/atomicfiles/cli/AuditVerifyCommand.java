package io.atomicfiles.cli;

import io.atomicfiles.AuditTrail;
import io.atomicfiles.AuditVerification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code atomicfiles audit verify FILE}: {@link AuditTrail#verify(Path)} over FILE, its rotated files and its head. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        header = "Check that no line of an audit trail was edited, removed, reordered or cut off the end.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Checks the hash chain through the rotated files (FILE.k or FILE.k.gz, oldest",
            "first) and FILE: each line must match its own hash and link to the line before",
            "it, and each file must continue the one before it.",
            "",
            "The end of the chain is checked against FILE.head, which each append replaces",
            "(atomically) with the hash and line of its record: records cut off the end of",
            "FILE are reported too. The head may be one append behind the trail (a crash",
            "between the record and its head); that is accepted, and the next append",
            "repairs it. A trail written before head files were kept has none to compare.",
            "",
            "Intact: prints the number of lines checked (the records, and a first line in",
            "each file that links it to the file before), the files, and the last hash.",
            "Broken: names the file and line of the first bad record, and what is wrong."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the chain is intact",
            "1:FILE cannot be read",
            "2:usage error",
            "5:the chain is broken: a line was edited, removed or reordered, or the last records were"
                    + " cut off (named on standard error)"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  intact: {\"trail\": FILE, \"ok\": true, \"linesChecked\": N, \"files\": [P, oldest first],",
            "           \"lastHash\": HEX}",
            "  broken: {\"trail\": FILE, \"ok\": false, \"file\": P, \"line\": N, \"reason\": TEXT,",
            "           \"linesChecked\": N (the intact lines before it)}"})
final class AuditVerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The audit trail (its current file).")
    private Path file;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        List<Path> files = AuditCommand.requireTrail(file);
        AuditVerification verification = AuditTrail.verify(file);
        if (json.on()) {
            ObjectNode object = Json.object();
            object.put("trail", file.toString());
            object.put("ok", verification.ok());
            if (verification.ok()) {
                object.put("linesChecked", verification.recordsChecked());
                object.set("files", Json.paths(files));
                object.put("lastHash", verification.lastHash());
            } else {
                object.put("file", String.valueOf(verification.file()));
                object.put("line", verification.lineNumber());
                object.put("reason", verification.reason());
                object.put("linesChecked", verification.recordsChecked());
            }
            Json.print(spec.commandLine().getOut(), object);
        }
        if (!verification.ok()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + verification.file() + " line " + verification.lineNumber()
                    + ": " + verification.reason() + intactBefore(verification.recordsChecked()));
            err.flush();
            return Main.INTEGRITY;
        }
        if (json.on()) {
            return Main.OK;
        }
        PrintWriter out = spec.commandLine().getOut();
        String names = files.stream().map(Path::getFileName).map(Path::toString).collect(Collectors.joining(", "));
        out.println(file + ": intact, " + lines(verification.recordsChecked()) + " in " + files.size()
                + (files.size() == 1 ? " file (" : " files (") + names + ")");
        out.println("last hash " + verification.lastHash());
        out.flush();
        return Main.OK;
    }

    /** " (the 3 lines before it are intact)", " (the line before it is intact)", or nothing for none. */
    private static String intactBefore(long count) {
        if (count == 0) {
            return "";
        }
        return count == 1 ? " (the line before it is intact)" : " (the " + count + " lines before it are intact)";
    }

    private static String lines(long count) {
        return count + (count == 1 ? " line" : " lines");
    }
}
