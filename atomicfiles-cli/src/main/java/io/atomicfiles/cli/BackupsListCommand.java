package io.atomicfiles.cli;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.internal.BackupCleanup;
import io.atomicfiles.internal.BackupCleanup.Candidate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles backups list DIR}: the backups in a folder, oldest first, with their age and
 * size: what {@code backups clean} with the same options would remove.
 */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "List the backups in a folder, oldest first, with their age and size.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Lists the files directly in DIR (not in its subfolders) whose names match",
            "--glob, oldest first: '<age>  <size>  <path>' per file, then the count. With",
            "--older-than, only those 'backups clean' with the same options would remove.",
            "Symbolic links and folders are never listed."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:listed (also when there is no backup)",
            "1:DIR does not exist or is not a folder, or cannot be read",
            "2:usage error: a malformed AGE or --glob"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"folder\": DIR, \"glob\": GLOB, \"backups\": [{\"path\": P, \"bytes\": N,",
            "   \"modified\": ISO-8601 time, \"ageSeconds\": N}]}",
            "",
            "Examples:",
            "  atomicfiles backups list /etc/myapp",
            "  atomicfiles backups list . --glob '*.deleted_backup' --older-than 1d"})
final class BackupsListCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to look in.")
    private Path folder;

    @Option(names = "--glob", paramLabel = "GLOB", defaultValue = AtomicFileOperations.DEFAULT_BACKUP_GLOB,
            description = "Which file names count as backups. Default: ${DEFAULT-VALUE}.")
    private String glob;

    @Option(names = "--older-than", paramLabel = "AGE", converter = DurationConverter.class,
            description = "Only backups last modified strictly more than AGE ago (90s, 30m, 24h, 7d, 2w, 1d12h,"
                    + " PT24H).")
    private Duration minAge;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        BackupsCleanCommand.requireValidGlob(spec, folder, glob);
        FileArguments.requireFolder(folder, "DIR");
        Instant now = Instant.now();
        // Strictly before "now plus a moment": every backup there is, when no age is given.
        Instant cutoff = minAge == null ? now.plusSeconds(1) : now.minus(minAge);
        List<Candidate> backups = BackupCleanup.candidates(folder, glob, cutoff);
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            ObjectNode object = Json.object();
            object.put("folder", folder.toString());
            object.put("glob", glob);
            ArrayNode list = object.putArray("backups");
            for (Candidate c : backups) {
                list.addObject().put("path", c.file().toString()).put("bytes", size(c.file()))
                        .put("modified", c.modified().toString())
                        .put("ageSeconds", Math.max(0, Duration.between(c.modified(), now).getSeconds()));
            }
            Json.print(out, object);
            return Main.OK;
        }
        for (Candidate c : backups) {
            out.println(String.format("%-8s %10s  %s", BackupsCleanCommand.age(c.modified(), now),
                    TerminalProgress.bytes(size(c.file())), c.file()));
        }
        out.println(VerifyCommand.count(backups.size(), "backup", "backups") + " matching " + glob
                + (minAge == null ? "" : " older than " + spec.commandLine().getParseResult()
                        .matchedOption("--older-than").stringValues().get(0)) + " in " + folder);
        out.flush();
        return Main.OK;
    }

    private static long size(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).size();
        } catch (IOException e) {
            return -1; // removed since it was listed
        }
    }
}
