package io.atomicfiles.cli;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles sweep DIR}: removes the temp files killed writers left in a folder, with
 * the library's {@link AtomicFiles#sweepStaleTempFiles}: the library decides what is a temp file
 * of its own, and this command never second-guesses it.
 */
@Command(name = "sweep",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Remove the temp files that killed writers left in a folder.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "A write killed with kill -9, or cut short by a power loss, may leave its",
            "private temp file (.NAME.tmp-<random>) beside the target; the target itself",
            "is untouched. This removes such files directly in DIR (not in subfolders)",
            "that are older than --older-than: a younger one may belong to a write still",
            "at work. Your own files, and a transaction's staged files (recovery owns",
            "them: see 'atomicfiles recover'), are never touched."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (also when there was nothing to remove)",
            "1:DIR does not exist or is not a folder, or a file could not be removed",
            "2:usage error: a malformed AGE"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"folder\": DIR, \"olderThan\": AGE, \"removed\": N}",
            "",
            "Examples:",
            "  atomicfiles sweep /srv/app/config",
            "  atomicfiles sweep . --older-than 10m"})
final class SweepCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to sweep.")
    private Path folder;

    @Option(names = "--older-than", paramLabel = "AGE", defaultValue = "1h", converter = DurationConverter.class,
            description = "Remove only temp files last modified more than AGE ago (90s, 30m, 24h, 7d, PT1H)."
                    + " Default: ${DEFAULT-VALUE}.")
    private Duration olderThan;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        FileArguments.requireFolder(folder, "DIR");
        int removed = AtomicFiles.sweepStaleTempFiles(folder, olderThan);
        String age = spec.commandLine().getParseResult().hasMatchedOption("--older-than")
                ? spec.commandLine().getParseResult().matchedOption("--older-than").stringValues().get(0) : "1h";
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            ObjectNode object = Json.object();
            object.put("folder", folder.toString());
            object.put("olderThan", age);
            object.put("removed", removed);
            Json.print(out, object);
            return Main.OK;
        }
        out.println("removed " + VerifyCommand.count(removed, "stale temp file", "stale temp files")
                + " older than " + age + " from " + folder);
        out.flush();
        return Main.OK;
    }
}
