package io.atomicfiles.cli;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code atomicfiles rotate FILE --keep N [--gzip]}: {@link AtomicFiles#rotate(Path, int, boolean)}. */
@Command(name = "rotate",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Rotate a log-style file: FILE becomes FILE.1, FILE.1 becomes FILE.2, and so on.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "FILE is renamed to FILE.1 (the program writing it starts a new FILE), each",
            "FILE.k moves up to FILE.k+1, and the oldest beyond --keep is removed.",
            "--keep N counts FILE itself: at most N-1 rotated files remain.",
            "  --keep 1  keeps no rotated file: FILE is removed (and rotated files left",
            "            from before), for a program that starts afresh.",
            "  --keep 5  FILE.1 ... FILE.4: the four most recent versions.",
            "With --gzip the rotated files are FILE.1.gz, FILE.2.gz, ...: each is compressed",
            "to a temp file, forced to disk and only then given its name, so no half-written",
            ".gz ever exists. A crash at any point loses no rotated file, and the next",
            "rotation finishes the interrupted one. A missing FILE is not an error: there",
            "is nothing to rotate.",
            "",
            "A program that keeps FILE open goes on writing into FILE.1 until it reopens",
            "FILE. With --gzip, FILE.1 is compressed and removed at once, so what such a",
            "program writes in between is lost: use --gzip when the program reopens FILE",
            "before the rotation, or is stopped during it.",
            "",
            "In a folder every user may write (like /tmp), a FILE.k or FILE.k.gz of another",
            "user (not FILE's owner, the folder's, yours or root's) stops the rotation",
            "before it is touched: it is never taken into FILE's history.",
            "",
            "The rotation holds FILE's lock, so it never overlaps a write of FILE through",
            "atomicfiles, or an append of an audit trail kept in FILE.",
            "",
            "Prints the rotated files that exist afterwards, newest first."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:FILE was rotated, or did not exist",
            "1:the rotation failed (every rotated file still exists under some name; run it again to finish)",
            "2:usage error: --keep missing or less than 1"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"path\": FILE, \"existed\": true|false, \"keep\": N, \"gzip\": true|false,",
            "   \"rotated\": [the rotated files that exist afterwards, newest first]}",
            "",
            "Examples:",
            "  atomicfiles rotate /var/log/app.log --keep 8 --gzip",
            "      app.log.1.gz (the newest) ... app.log.7.gz",
            "  atomicfiles rotate operations.audit --keep 4",
            "      an audit trail too: 'atomicfiles audit verify operations.audit' follows it",
            "      through operations.audit.1, .2, .3"})
final class RotateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", converter = FileNameConverter.class, description = "The file to rotate.")
    private Path file;

    @Option(names = "--keep", paramLabel = "N", required = true,
            description = "How many versions to keep, FILE included: at most N-1 rotated files remain (N >= 1).")
    private int keep;

    @Option(names = "--gzip", description = "Compress the rotated files (FILE.1.gz, ...); plain rotated files left"
            + " from before are compressed too.")
    private boolean gzip;

    @Mixin
    private AuditOption audit;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        if (keep < 1) {
            throw new ParameterException(spec.commandLine(), "--keep must be at least 1 (FILE itself counts), got " + keep);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean existed = Files.exists(file);
        List<Path> rotated = audit.recording(() -> AtomicFiles.rotate(file, keep, gzip));
        if (json.on()) {
            ObjectNode object = Json.object();
            object.put("path", file.toString());
            object.put("existed", existed);
            object.put("keep", keep);
            object.put("gzip", gzip);
            object.set("rotated", Json.paths(rotated));
            Json.print(out, object);
            return Main.OK;
        }
        if (!existed) {
            out.println(file + " does not exist: nothing to rotate" + (rotated.isEmpty() ? "" : "; its rotated files:"));
        } else if (keep == 1) {
            out.println("removed " + file + " and its rotated files (--keep 1 keeps none)");
        } else {
            out.println("rotated " + file + ": " + rotated.size() + " rotated file" + (rotated.size() == 1 ? "" : "s")
                    + " (at most " + (keep - 1) + "), newest first:");
        }
        rotated.forEach(path -> out.println("  " + path));
        out.flush();
        return Main.OK;
    }
}
