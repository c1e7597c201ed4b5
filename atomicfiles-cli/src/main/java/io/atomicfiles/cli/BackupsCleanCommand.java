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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles backups clean DIR --older-than AGE}: removes old backups with
 * {@link AtomicFileOperations#cleanupBackups(Path, Duration, String)}, or with
 * {@code --dry-run} lists what it would remove.
 */
@Command(name = "clean",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Remove backups older than a given age from a folder.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Removes the files directly in DIR (not in its subfolders) whose names match",
            "--glob and that were last modified strictly more than AGE ago. Symbolic links",
            "and folders are never removed, nor followed. Prints each file removed (or, with",
            "--dry-run, each file it would remove) with its age, then the count.",
            "",
            "AGE is a number and a unit: 90s, 30m (minutes), 24h, 7d, 2w, or combined as in",
            "1d12h; or ISO-8601 as in PT24H or P7D."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (also when nothing was old enough)",
            "1:DIR does not exist or is not a folder, or a file could not be removed",
            "2:usage error: a malformed AGE or --glob"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"folder\": DIR, \"glob\": GLOB, \"olderThan\": AGE, \"dryRun\": true|false,",
            "   \"removed\": [{\"path\": P, \"modified\": ISO-8601 time}], \"count\": N}",
            "   (with --dry-run: the files that would be removed)",
            "",
            "Examples:",
            "  atomicfiles backups clean /etc/myapp --older-than 7d --dry-run",
            "      see what would go",
            "  atomicfiles backups clean . --older-than 24h --glob '*.deleted_backup'",
            "      the backups of files a transaction deleted"})
final class BackupsCleanCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The folder to clean.")
    private Path folder;

    @Option(names = "--older-than", paramLabel = "AGE", required = true, converter = DurationConverter.class,
            description = "Remove only files last modified strictly more than AGE ago (see above).")
    private Duration maxAge;

    @Option(names = "--glob", paramLabel = "GLOB", defaultValue = AtomicFileOperations.DEFAULT_BACKUP_GLOB,
            description = "Which file names count as backups. Default: ${DEFAULT-VALUE}.")
    private String glob;

    @Option(names = {"-n", "--dry-run"}, description = "Remove nothing: list the files that would be removed.")
    private boolean dryRun;

    @Mixin
    private AuditOption audit;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        requireValidGlob();
        FileArguments.requireFolder(folder, "DIR");
        Instant now = Instant.now();
        List<Candidate> candidates = BackupCleanup.candidates(folder, glob, now.minus(maxAge));
        PrintWriter out = spec.commandLine().getOut();
        String criterion = "matching " + glob + " older than " + ageText() + " in " + folder;
        if (dryRun && json.on()) {
            Json.print(out, toJson(candidates, candidates.size()));
            return Main.OK;
        }
        if (dryRun) {
            candidates.forEach(c -> out.println("would remove " + c.file() + "  (" + age(c.modified(), now) + " old)"));
            out.println("would remove " + files(candidates.size()) + " " + criterion + " (dry run: nothing removed)");
            out.flush();
            return Main.OK;
        }
        int removed = audit.recording(() -> new AtomicFileOperations().cleanupBackups(folder, maxAge, glob));
        // The library counts what it removed; the names are those listed before that are gone now.
        List<Candidate> gone = candidates.stream().filter(c -> !Files.exists(c.file(), LinkOption.NOFOLLOW_LINKS))
                .toList();
        if (json.on()) {
            Json.print(out, toJson(gone, removed));
            return Main.OK;
        }
        gone.forEach(c -> out.println("removed " + c.file() + "  (" + age(c.modified(), now) + " old)"));
        out.println("removed " + files(removed) + " " + criterion);
        out.flush();
        return Main.OK;
    }

    private ObjectNode toJson(List<Candidate> files, int count) {
        ObjectNode object = Json.object();
        object.put("folder", folder.toString());
        object.put("glob", glob);
        object.put("olderThan", ageText());
        object.put("dryRun", dryRun);
        ArrayNode removed = object.putArray("removed");
        for (Candidate c : files) {
            removed.addObject().put("path", c.file().toString()).put("modified", c.modified().toString());
        }
        object.put("count", count);
        return object;
    }

    private void requireValidGlob() {
        requireValidGlob(spec, folder, glob);
    }

    static void requireValidGlob(CommandSpec spec, Path folder, String glob) {
        try {
            folder.getFileSystem().getPathMatcher("glob:" + glob);
        } catch (PatternSyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--glob '" + glob + "' is not a valid pattern: "
                    + e.getDescription());
        }
    }

    /** AGE as the user wrote it. */
    private String ageText() {
        return spec.commandLine().getParseResult().matchedOption("--older-than").stringValues().get(0);
    }

    private static String files(int count) {
        return count + (count == 1 ? " file" : " files");
    }

    /** "3d 2h", "5h 10m", "42s": the two largest units of the time since {@code modified}. */
    static String age(Instant modified, Instant now) {
        long seconds = Math.max(0, modified.until(now, ChronoUnit.SECONDS));
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
