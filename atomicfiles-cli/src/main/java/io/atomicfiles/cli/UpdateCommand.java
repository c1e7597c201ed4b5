package io.atomicfiles.cli;

import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles update FILE --set PATH=VALUE --delete PATH}: edits keys of a JSON or YAML
 * file through {@link AtomicFileOperations#atomicJsonUpdate} (or its YAML twin), which holds the
 * file's lock from the read to the write, so concurrent updates of one file are never lost.
 */
@Command(name = "update",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Set and delete keys of a JSON or YAML file, atomically, without losing concurrent updates.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Reads FILE, applies each --set and --delete in the order given, checks the",
            "result against --schema, and writes it back atomically (the old content is",
            "kept as FILE.backup). The file's lock is held from the read to the write, so",
            "updates running at the same time (other atomicfiles commands, or programs using",
            "the library) each see the other's result: none is lost. If any edit cannot be",
            "made, nothing is written. JSON is written indented by two; YAML in block style,",
            "as plain YAML with the same meaning: aliases are written out in full and merge",
            "keys (<<) merged; a recursive alias or an alias bomb is refused. Comments and",
            "formatting of a YAML file are not kept: a warning on standard error says so",
            "when FILE had comments.",
            "",
            "PATH  keys separated by dots, array elements as [N] from 0:",
            "        server.port   servers[0].host   \"api.example.com\".port   a\\.b",
            "      A key with dots (or [ = \\ \") is quoted with \"...\" or escaped with \\.",
            "      --set creates missing objects and arrays on the way; [N] may be one past",
            "      the end of an array to append. --delete of a missing key changes nothing.",
            "VALUE is read the same way for JSON and YAML files:",
            "        8080  -1.5  1e3      a number",
            "        true  false  null    a boolean, null",
            "        [a, b]  {x: 1}       a list, an object (YAML flow syntax; JSON works)",
            "        \"8080\"  'it''s'      a string, quoted (quote it in the shell, too)",
            "        anything else        that text as a string: x, yes, 007, #fff, (empty)",
            "",
            "Prints one line per edit (new, changed from what, unchanged, deleted) and a",
            "last line with the number of changes. When no edit changes anything, FILE is",
            "not written at all (its backup and modification time stay as they are)."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:FILE was updated, or no edit changed it",
            "1:nothing was written: FILE missing (without --create), or an I/O failure",
            "2:usage error: a malformed PATH=VALUE, no edit given",
            "3:nothing was written: another program held FILE's lock too long",
            "4:nothing was written: FILE is not valid JSON/YAML (or its YAML aliases are recursive or an"
                    + " alias bomb), an edit goes through a value of the wrong kind, or the result violates --schema"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"path\": FILE, \"written\": true|false, \"changes\": N, \"edits\": [{\"action\":",
            "   set|delete, \"path\": PATH, \"changed\": true|false, \"before\": VALUE or null,",
            "   \"after\": VALUE or null}]}",
            "",
            "Examples:",
            "  atomicfiles update config.json --set server.port=8080 --delete debug",
            "  atomicfiles update app.yaml --set 'tags=[api, v2]' --set 'build=\"0042\"'",
            "      a list, and a string that would otherwise be a number",
            "  atomicfiles update hosts.json --set 'hosts.\"db.local\".ip=10.0.0.5'",
            "      a key with dots in it",
            "  atomicfiles update state.json --create --set 'runs[0]={id: 1, ok: true}'",
            "      start from an empty document when state.json does not exist",
            "  atomicfiles update app.json --set port=70000 --schema app.schema.json",
            "      refused with the violation listed, app.json unchanged"})
final class UpdateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", converter = FileNameConverter.class, description = "The JSON (.json) or YAML (.yaml, .yml) file to update.")
    private Path file;

    @Option(names = "--set", paramLabel = "PATH=VALUE", converter = DocumentEdit.SetConverter.class,
            description = "Set the value at PATH (see above). Repeatable.")
    private List<DocumentEdit> sets = new ArrayList<>();

    @Option(names = "--delete", paramLabel = "PATH", converter = DocumentEdit.DeleteConverter.class,
            description = "Remove the key or array element at PATH. Repeatable.")
    private List<DocumentEdit> deletes = new ArrayList<>();

    @Option(names = "--create", description = "A missing FILE starts as an empty document (otherwise it is an error).")
    private boolean create;

    @Option(names = "--schema", paramLabel = "SCHEMA",
            description = "A JSON Schema file (.json, .yaml or .yml) the result must satisfy; a violation is listed"
                    + " and nothing is written.")
    private Path schema;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json or yaml: how to read and write FILE. Default: from FILE's extension.")
    private DataFormat format;

    @Mixin
    private AuditOption audit;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        DataFormat fileFormat = FileArguments.structuredFormat(spec, file, format, "--format");
        List<DocumentEdit> edits = inCommandLineOrder();
        if (edits.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to do: give at least one --set or --delete");
        }
        FileArguments.requireFile(schema, "--schema");
        if (!create && !Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "nothing to update; --create starts from an empty document");
        }

        List<DocumentEdit.Outcome> unchanged = changesNothing(fileFormat, edits);
        if (unchanged != null) {
            report(unchanged, false, file + ": no change, nothing written");
            return Main.OK;
        }
        // Told after the write, which is what drops them (nothing is lost when nothing is written).
        boolean hadComments = fileFormat == DataFormat.YAML && Files.isRegularFile(file) && Codecs.yamlHasComments(file);
        AtomicReference<List<DocumentEdit.Outcome>> outcomes = new AtomicReference<>();
        UnaryOperator<Map<String, Object>> update = document -> {
            // May run again if the write is retried: each run starts from the document it was given.
            ObjectNode tree = (ObjectNode) Codecs.toTree(document);
            outcomes.set(applyAll(edits, tree));
            return Codecs.toMap(tree);
        };
        AtomicFileOperations operations = new AtomicFileOperations();
        audit.recording(() -> fileFormat == DataFormat.JSON
                ? operations.atomicJsonUpdate(file, update, create, schema)
                : operations.atomicYamlUpdate(file, update, create, schema));
        if (hadComments) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": warning: " + file + ": comments are not kept by update");
            err.flush();
        }
        long changed = outcomes.get().stream().filter(DocumentEdit.Outcome::changed).count();
        report(outcomes.get(), true, "updated " + file + ": " + changed + " change" + (changed == 1 ? "" : "s"));
        return Main.OK;
    }

    /**
     * The outcomes of the edits when none of them would change FILE as it is now (and a schema
     * given holds), else null. Then nothing is written: FILE, its backup and its modification
     * time stay as they are. This equals an update made at the moment of this read, since edits
     * only set and delete. Anything that goes wrong here is left to the update itself to meet
     * and report (and record, with --audit), so this look ahead never decides a failure.
     */
    private List<DocumentEdit.Outcome> changesNothing(DataFormat fileFormat, List<DocumentEdit> edits) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            ObjectNode tree = (ObjectNode) Codecs.toTree(Codecs.readMap(file, fileFormat));
            List<DocumentEdit.Outcome> outcomes = applyAll(edits, tree);
            if (outcomes.stream().anyMatch(DocumentEdit.Outcome::changed)) {
                return null;
            }
            if (schema != null) {
                Schemas.validate(schema, tree, file);
            }
            return outcomes;
        } catch (IOException | RuntimeException leftToTheUpdate) {
            return null;
        }
    }

    private List<DocumentEdit.Outcome> applyAll(List<DocumentEdit> edits, ObjectNode tree) {
        List<DocumentEdit.Outcome> outcomes = new ArrayList<>();
        for (DocumentEdit edit : edits) {
            try {
                outcomes.add(edit.applyTo(tree));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(file + ": " + e.getMessage() + "; nothing written", e);
            }
        }
        return outcomes;
    }

    private void report(List<DocumentEdit.Outcome> outcomes, boolean written, String last) {
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            ObjectNode object = Json.object();
            object.put("path", file.toString());
            object.put("written", written);
            object.put("changes", outcomes.stream().filter(DocumentEdit.Outcome::changed).count());
            ArrayNode edits = object.putArray("edits");
            for (DocumentEdit.Outcome outcome : outcomes) {
                ObjectNode edit = edits.addObject();
                edit.put("action", outcome.action());
                edit.put("path", outcome.path());
                edit.put("changed", outcome.changed());
                edit.set("before", outcome.before());
                edit.set("after", outcome.after());
            }
            Json.print(out, object);
            return;
        }
        outcomes.forEach(outcome -> out.println(outcome.description()));
        out.println(last);
        out.flush();
    }

    /**
     * The edits in the order they were given: picocli collects each option's values in its own
     * list, and lists the options matched, once per occurrence, in order.
     */
    private List<DocumentEdit> inCommandLineOrder() {
        Iterator<DocumentEdit> nextSet = sets.iterator();
        Iterator<DocumentEdit> nextDelete = deletes.iterator();
        List<DocumentEdit> ordered = new ArrayList<>();
        for (ArgSpec arg : spec.commandLine().getParseResult().matchedArgs()) {
            if (arg instanceof OptionSpec option && option.longestName().equals("--set")) {
                ordered.add(nextSet.next());
            } else if (arg instanceof OptionSpec option && option.longestName().equals("--delete")) {
                ordered.add(nextDelete.next());
            }
        }
        return ordered;
    }
}
