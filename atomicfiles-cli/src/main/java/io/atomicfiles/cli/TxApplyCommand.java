package io.atomicfiles.cli;

import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.cli.plan.Plan;
import io.atomicfiles.cli.plan.PlanReader;
import io.atomicfiles.cli.plan.PlanRoot;
import io.atomicfiles.cli.plan.PlanTransaction;
import io.atomicfiles.cli.plan.Planned;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles tx apply PLAN}: runs the operations a plan file lists as one
 * {@link FileTransaction}. The plan is checked completely (shape, paths, sources, schemas)
 * before the transaction begins, so a bad plan changes nothing.
 */
@Command(name = "apply",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Apply a plan of writes, copies, moves and deletes as one transaction: all of it, or none.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Every operation of PLAN is checked before any file is touched: its keys and",
            "values, every path (it must stay inside --root), every source file, every",
            "content against its schema. Then all of them are committed together: new",
            "contents are staged beside their targets and forced to disk, a commit point",
            "is recorded in a journal, and the renames follow. Killed before the commit",
            "point, the transaction leaves every file as it was; killed after it, it is",
            "completed by the next transaction or by 'atomicfiles recover'. If an",
            "operation fails, the ones done already are undone.",
            "",
            "An overwritten file keeps its previous content as NAME.backup, a deleted one",
            "is kept as NAME.deleted_backup (unless --no-backup).",
            "",
            "The transaction is confined to --root while it runs, not only when the plan",
            "is checked: right before each change on disk (a new folder, a staged file, a",
            "keep link, a rename, a deletion; in recovery too) every folder on the path is",
            "looked at again, one by one from /, without following links. If one has become",
            "a symbolic link since the check (someone who can write inside the root swapped",
            "a folder for a link to elsewhere), nothing is done through it: the transaction",
            "fails and is undone (exit 1). Renames, deletions and reads of sources are made",
            "relative to folders opened from the root without following links (renameat,",
            "unlinkat, openat), so no swap, however timed, redirects them. What remains",
            "possible: a swap timed into the instant between that look and the creation of",
            "a new name (a folder, a staged file, a keep link) can make the name appear in",
            "the folder the link points to; creation never replaces, so no file outside the",
            "root is changed, but the new name is left there. Java's file API has no linkat",
            "or mkdirat, which would close that too. The folders above --root are trusted:",
            "--root is resolved once, at the start.",
            "",
            "On success, one line per operation says what was done, under a line naming",
            "the transaction. The plan's format is described below. A progress bar is",
            "drawn on standard error, when that is a terminal, for plans over 1 MiB."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every operation was applied (with --dry-run: the plan is valid)",
            "1:nothing was changed: a source is missing, or the transaction failed (an I/O error, a folder"
                    + " swapped for a symbolic link while it ran) and was undone",
            "2:usage error",
            "3:nothing was changed: another program held a file's lock too long",
            "4:nothing was changed: the plan is invalid (the message names the operation, its line and"
                    + " the key), a path leaves the root, or a content violates its schema",
            "5:nothing was changed: a staged file read back differs from what was written"},
        footerHeading = "%nThe plan:%n",
        footer = {
            "  A YAML (.yaml, .yml) or JSON (.json) file with one key, operations: a list",
            "  of changes that are made together. Each entry is one of:",
            "",
            "  write: PATH       write PATH, with exactly one of",
            "    content: VALUE    any value: written as JSON for .json, as YAML for",
            "                      .yaml/.yml, or as 'format' says; for other files it",
            "                      must be a string, written as UTF-8 text",
            "    text: STRING      written as it is, in UTF-8",
            "    from: PATH        another file's content: for JSON/YAML targets parsed",
            "                      (by its extension) and converted, else copied byte for",
            "                      byte (it is read into memory: use copy for big files)",
            "    and optionally",
            "    schema: PATH      a JSON Schema file (or the schema itself, inline) the",
            "                      content must satisfy; for JSON and YAML content",
            "    format: json|yaml write structured content whatever the extension",
            "  copy: PATH         copy PATH (streamed, any size) ...",
            "    to: PATH          ... to this file",
            "  move: PATH         move PATH (one atomic rename on one filesystem) ...",
            "    to: PATH          ... to this file",
            "  delete: PATH       delete PATH (kept as PATH.deleted_backup)",
            "",
            "  Paths are relative to --root. An absolute path, a '..', or a symbolic link",
            "  that leads outside the root is refused. Missing folders are created. Each",
            "  file may be changed by one operation only, and every source (copy, move,",
            "  from) is read as it was before the transaction: a copy of a file that the",
            "  plan also writes copies its old content.",
            "",
            "  operations:",
            "    - write: config/app.json",
            "      content: {name: api, port: 8080}",
            "      schema: schemas/app.schema.json",
            "    - write: config/db.yaml",
            "      content:",
            "        url: jdbc:postgresql://db/app",
            "        pool: 8",
            "    - write: motd.txt",
            "      text: \"Welcome back\\n\"",
            "    - write: static/logo.png",
            "      from: build/logo.png",
            "    - copy: templates/index.html",
            "      to: site/index.html",
            "    - move: site/beta.html",
            "      to: archive/beta.html",
            "    - delete: site/old.html",
            "",
            "JSON output:",
            "  {\"transaction\": ID, \"root\": DIR, \"dryRun\": true|false, \"committed\": true|false,",
            "   \"operations\": [{\"op\": write|copy|move|delete, \"path\": P, \"to\": P (copy, move),",
            "   \"how\": TEXT (write), \"replaces\": true|false, \"keptAs\": P or null,",
            "   \"bytes\": N (after a commit)}]}  (paths as the plan wrote them)",
            "",
            "Examples:",
            "  atomicfiles tx apply release.yaml --root /srv/app --dry-run",
            "      check the plan and show what it would do; nothing is changed",
            "  atomicfiles tx apply release.yaml --root /srv/app",
            "      apply it: every file changes, or none does",
            "  ./make-plan | atomicfiles tx apply - --root /srv/app",
            "      a plan from standard input (YAML or JSON)"})
final class TxApplyCommand implements Callable<Integer> {
    private static final Path STANDARD_INPUT = Path.of("-");

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLAN",
            description = "The plan: a .yaml, .yml or .json file, or '-' for standard input (YAML or JSON).")
    private Path planFile;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = ".",
            description = "The folder the plan's paths are relative to; nothing outside it is touched."
                    + " Default: the current folder.")
    private Path rootDir;

    @Option(names = "--dry-run",
            description = "Check the whole plan and print what it would do; change nothing.")
    private boolean dryRun;

    @Option(names = "--no-backup",
            description = "Keep no NAME.backup of overwritten files and no NAME.deleted_backup of deleted ones.")
    private boolean noBackup;

    @Option(names = "--durability", paramLabel = "LEVEL", defaultValue = "full",
            description = "none: no fsync (a crash of the program is safe, a power loss may lose the"
                    + " transaction); file: contents reach the disk before the commit point;"
                    + " full: the folders too, so the transaction survives a power loss once this returns."
                    + " Default: ${DEFAULT-VALUE}.")
    private Durability durability;

    @Option(names = "--journal-dir", paramLabel = "DIR",
            description = "Where the journal lives while the transaction runs (created if missing)."
                    + " Default: the state folder. 'atomicfiles recover' must be given the same folder.")
    private Path journalDir;

    @Option(names = "--id", paramLabel = "ID", converter = TransactionIdConverter.class,
            description = "The transaction's id (1-64 letters, digits, '.', '_', '-'). Default: generated"
                    + " from the time.")
    private String id;

    @Mixin
    private AuditOption audit;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        return audit.recording(this::apply);
    }

    private int apply() throws IOException {
        DataFormat format = planFormat();
        PlanRoot root = PlanRoot.of(rootDir);
        Plan plan = PlanReader.read(readPlan(), format, readsStandardInput() ? "standard input" : planFile.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (plan.operations().isEmpty()) {
            if (json.on()) {
                Json.print(out, result(null, root, false, List.of()));
            } else {
                out.println(plan.name() + " has no operations; nothing was changed.");
            }
            return Main.OK;
        }
        TransactionOptions options = TransactionOptions.builder()
                .journalDir(journalDir)
                .transactionId(id)
                .backup(!noBackup)
                .durability(durability)
                .showProgress(true)
                .progressListener(((Main) spec.root().userObject()).progress(-1))
                // Checked again by the library right before each change, not only in the plan.
                .confinedTo(root.path())
                .build();
        try (FileTransaction transaction = new FileTransaction(options)) {
            List<Planned> planned = PlanTransaction.addAll(plan, root, transaction, !noBackup);
            int count = planned.size();
            String operations = count + " operation" + (count == 1 ? "" : "s");
            if (dryRun && json.on()) {
                Json.print(out, result(transaction.id(), root, false, planned));
                return Main.OK;
            }
            if (dryRun) {
                // close() abandons the transaction: nothing was, or will be, touched.
                out.println("dry run: " + plan.name() + " is valid; these " + operations + " would be committed"
                        + " together in " + root.path() + " (nothing was changed):");
                planned.forEach(p -> out.println("  " + p.planned()));
                return Main.OK;
            }
            transaction.commit();
            if (json.on()) {
                Json.print(out, result(transaction.id(), root, true, planned));
                return Main.OK;
            }
            out.println("transaction " + transaction.id() + " committed: " + operations + " in " + root.path());
            for (Planned p : planned) {
                out.println("  " + p.done());
            }
        }
        return Main.OK;
    }

    /** The --json object (see the help's "JSON output"). */
    private ObjectNode result(String id, PlanRoot root, boolean committed, List<Planned> planned) throws IOException {
        ObjectNode object = Json.object();
        object.put("transaction", id);
        object.put("root", root.path().toString());
        object.put("dryRun", dryRun);
        object.put("committed", committed);
        ArrayNode operations = object.putArray("operations");
        for (Planned p : planned) {
            ObjectNode operation = operations.addObject();
            operation.put("op", p.verb());
            operation.put("path", p.path());
            if (p.to() != null) {
                operation.put("to", p.to());
            }
            if (p.how() != null) {
                operation.put("how", p.how());
            }
            operation.put("replaces", p.replaces());
            operation.put("keptAs", p.keptAs());
            if (committed && p.result() != null && Files.isRegularFile(p.result())) {
                operation.put("bytes", Files.size(p.result()));
            }
        }
        return object;
    }

    private DataFormat planFormat() {
        if (readsStandardInput()) {
            return DataFormat.YAML; // YAML's syntax includes JSON's
        }
        return DataFormat.of(planFile).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "PLAN must be a .yaml, .yml or .json file (its extension says which), or '-' for standard input;"
                        + " got " + planFile));
    }

    private byte[] readPlan() throws IOException {
        if (readsStandardInput()) {
            return ((Main) spec.root().userObject()).stdin().readAllBytes();
        }
        if (!Files.exists(planFile)) {
            throw new NoSuchFileException(planFile.toString(), null, "PLAN names no file");
        }
        if (Files.isDirectory(planFile)) {
            throw new FileSystemException(planFile.toString(), null, "PLAN names a folder, not a file");
        }
        return Files.readAllBytes(planFile);
    }

    private boolean readsStandardInput() {
        return planFile.equals(STANDARD_INPUT);
    }
}
