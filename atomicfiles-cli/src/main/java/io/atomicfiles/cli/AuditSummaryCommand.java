package io.atomicfiles.cli;

import io.atomicfiles.AuditEntry;
import io.atomicfiles.AuditSummary;
import io.atomicfiles.AuditTrail;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atomicfiles audit summary FILE}: the {@link AuditSummary} table over every session in the trail. */
@Command(name = "summary",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        headerHeading = "%n",
        header = "Sum up an audit trail: totals, then the operations on each file.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Counts every operation in the trail (its rotated files included), whichever",
            "session or process recorded it: each operation once, by its outcome (completed",
            "or failed). Files affected are the distinct files the operations named, however",
            "they ended; files changed, those a completed operation other than a read changed.",
            "Then one row per file: operations, successes, failures, and the last operation",
            "(paths relative to the folder all of them are in, named below the table)."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed", "1:FILE cannot be read", "2:usage error"})
final class AuditSummaryCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The audit trail (its current file).")
    private Path file;

    @Override
    public Integer call() throws IOException {
        AuditCommand.requireTrail(file);
        AuditTrail trail = new AuditTrail(file);
        List<AuditEntry> entries = trail.entries();
        PrintWriter out = spec.commandLine().getOut();
        AuditSummary summary = AuditSummary.of(AuditSummary.ALL_SESSIONS, entries);
        Path common = commonFolder(summary.files());
        out.print((common == null ? summary : relativeTo(common, summary)).toTable());
        if (common != null) {
            out.println("File paths are relative to " + common);
        }
        long sessions = entries.stream().map(AuditEntry::sessionId).distinct().count();
        if (!entries.isEmpty()) {
            out.println(entries.size() + " records from " + sessions + (sessions == 1 ? " session, " : " sessions, ")
                    + entries.get(0).timestamp() + " to " + entries.get(entries.size() - 1).timestamp());
        }
        out.flush();
        return Main.OK;
    }

    /** The deepest folder (below the root) holding every file of the summary, or null when there is none. */
    private static Path commonFolder(List<AuditSummary.FileActivity> files) {
        Path common = null;
        for (AuditSummary.FileActivity file : files) {
            Path path = file.path();
            if (common == null) {
                common = path.getParent();
            }
            while (common != null && !path.startsWith(common)) {
                common = common.getParent();
            }
            if (common == null || common.getNameCount() == 0) {
                return null;
            }
        }
        return common;
    }

    private static AuditSummary relativeTo(Path folder, AuditSummary summary) {
        List<AuditSummary.FileActivity> files = summary.files().stream()
                .map(f -> new AuditSummary.FileActivity(folder.relativize(f.path()), f.operations(), f.successful(),
                        f.failed(), f.lastOperation(), f.lastStatus()))
                .collect(Collectors.toList());
        return new AuditSummary(summary.sessionId(), summary.totalOperations(), summary.successful(), summary.failed(),
                summary.filesAffected(), summary.filesChanged(), files);
    }
}
