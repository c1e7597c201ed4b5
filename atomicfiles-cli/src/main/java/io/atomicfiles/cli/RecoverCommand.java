package io.atomicfiles.cli;

import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles recover}: runs {@link FileTransaction#recover(Path)} on a journal folder
 * and prints the report: what became of each interrupted transaction, what was done to which
 * file, and the conflicts left for a person to settle.
 */
@Command(name = "recover",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Finish what crashed transactions left behind.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "A transaction killed in the middle (kill -9, a power loss) leaves its journal",
            "behind. For each journal whose process is gone:",
            "  - not yet at its commit point: rolled back. Its hidden staged files are",
            "    removed; it had changed no file.",
            "  - past its commit point: rolled forward. Its remaining renames are done,",
            "    so every file it names gets its new content.",
            "A file that someone else changed since the transaction began is reported as",
            "a conflict and left as it is, never overwritten. Journals of transactions",
            "that are still running are left alone.",
            "",
            "Every transaction does this for its journal folder before it begins; run",
            "this command to settle the files now, for instance at boot after a crash.",
            "Running it twice, or after it was itself interrupted, is safe."},
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:nothing to recover, or every transaction recovered cleanly",
            "1:recovery failed (an I/O error; or a journal was left unfinished: refused, or a file it",
            "  needs is gone; each is listed with the reason and left as it is, the others recovered)",
            "2:usage error",
            "3:conflicts were found: files changed by someone else since, each listed and left as it is"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"journalDir\": DIR, \"transactions\": [{\"id\": ID, \"outcome\": rolled-back|",
            "   rolled-forward|cleaned-up|discarded, \"actions\": [TEXT], \"conflicts\": [TEXT]}],",
            "   \"skipped\": [ID], \"unfinished\": [{\"journal\": FILE, \"reason\": TEXT}]}",
            "  (skipped: journals of transactions still running; unfinished: journals left as they are)",
            "",
            "Examples:",
            "  atomicfiles recover",
            "      the journals in the state folder",
            "  atomicfiles recover --journal-dir /srv/app/.journal",
            "      the journals of transactions run with that --journal-dir"})
final class RecoverCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--journal-dir", paramLabel = "DIR",
            description = "The journal folder to recover (as given to 'tx apply --journal-dir'). Default: the"
                    + " state folder.")
    private Path journalDir;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        if (journalDir != null && !Files.isDirectory(journalDir)) {
            // Recovery would create a missing folder: a typo would then look like "nothing to recover".
            if (Files.exists(journalDir)) {
                throw new NotDirectoryException(journalDir + " (--journal-dir must be a folder)");
            }
            throw new NoSuchFileException(journalDir.toString(), null, "--journal-dir names no folder");
        }
        RecoveryReport report = FileTransaction.recover(journalDir);
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            Json.print(out, toJson(report));
        } else {
            print(report, out);
        }
        out.flush();
        if (report.hasUnfinished()) {
            PrintWriter err = spec.commandLine().getErr();
            for (RecoveryReport.Unfinished left : report.unfinished()) {
                err.println(spec.qualifiedName() + ": left unfinished: " + left.journal() + ": " + left.reason());
            }
            err.flush();
            return Main.FAILED;
        }
        if (!report.hasConflicts()) {
            return Main.OK;
        }
        long conflicts = report.transactions().stream().mapToLong(t -> t.conflicts().size()).sum();
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + conflicts + " conflict" + (conflicts == 1 ? "" : "s")
                + (json.on() ? "" : " (listed above)") + ": those files were changed by someone else and were left as they are");
        err.flush();
        return Main.CONFLICT;
    }

    private static ObjectNode toJson(RecoveryReport report) {
        ObjectNode object = Json.object();
        object.put("journalDir", report.journalDir().toString());
        ArrayNode transactions = object.putArray("transactions");
        for (RecoveryReport.Transaction transaction : report.transactions()) {
            ObjectNode t = transactions.addObject();
            t.put("id", transaction.id());
            t.put("outcome", transaction.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            t.set("actions", Json.strings(transaction.actions()));
            t.set("conflicts", Json.strings(transaction.conflicts()));
        }
        object.set("skipped", Json.strings(report.skipped()));
        ArrayNode unfinished = object.putArray("unfinished");
        for (RecoveryReport.Unfinished left : report.unfinished()) {
            unfinished.addObject().put("journal", left.journal().toString()).put("reason", left.reason());
        }
        return object;
    }

    private static void print(RecoveryReport report, PrintWriter out) {
        int count = report.transactions().size();
        if (count == 0) {
            out.println("nothing to recover in " + report.journalDir());
        } else {
            out.println("recovered " + count + " transaction" + (count == 1 ? "" : "s") + " in "
                    + report.journalDir() + ":");
        }
        for (RecoveryReport.Transaction transaction : report.transactions()) {
            out.println("  " + transaction.id() + ": " + describe(transaction.outcome()));
            transaction.actions().forEach(action -> out.println("    " + action));
            transaction.conflicts().forEach(conflict -> out.println("    CONFLICT: " + conflict));
        }
        if (!report.skipped().isEmpty()) {
            out.println("left alone (their transactions are still running): " + String.join(", ", report.skipped()));
        }
    }

    static String describe(RecoveryReport.Outcome outcome) {
        switch (outcome) {
            case ROLLED_BACK:
                return "rolled back: every file it named is as it was before it";
            case ROLLED_FORWARD:
                return "rolled forward: it had passed its commit point, and its remaining steps are done";
            case CLEANED_UP:
                return "cleaned up: it had finished; only its leftovers were removed";
            default:
                return "discarded: its journal was incomplete and no file had been touched";
        }
    }
}
