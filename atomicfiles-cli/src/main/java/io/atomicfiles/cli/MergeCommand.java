package io.atomicfiles.cli;

import io.atomicfiles.ArrayMerge;
import io.atomicfiles.AtomicFileOperations;
import io.atomicfiles.MergeOptions;
import io.atomicfiles.MergeResult;
import io.atomicfiles.MergeStrategy;
import io.atomicfiles.WriteResult;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.ConfigMerge;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles merge IN... -o OUT}: merges configuration files, each over the ones before
 * it, with {@link AtomicFileOperations#atomicConfigMerge(List, Path, MergeOptions)}, and writes
 * the result atomically.
 */
@Command(name = "merge",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Merge JSON and YAML configuration files into one, written atomically.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Each IN is merged over the result of the ones before it, so a later file wins.",
            "Inputs may mix .json, .yaml and .yml; OUT is written as JSON or YAML by its",
            "extension, checked against --schema first. Nothing is written if an input is",
            "invalid (the error names the file and line) or the result violates the schema.",
            "",
            "Strategies:",
            "  deep         objects merge key by key, at every depth; on anything else the",
            "               later value wins (arrays: see --arrays); a later null sets null.",
            "  shallow      only the top-level keys merge; a later top-level value replaces",
            "               the earlier one whole.",
            "  merge-patch  the first IN is the document, each later IN an RFC 7396 merge",
            "               patch over it: objects merge, null removes the key, anything else",
            "               (arrays too) replaces.",
            "",
            "Warnings go to standard error: a missing IN is skipped, and where a key holds",
            "an object in one file and not in another (a type conflict), the later file",
            "wins and its path is named. Standard output gets one summary line.",
            "",
            "YAML inputs are read as their meaning: aliases written out in full, merge keys",
            "(<<) merged; a recursive alias or an alias bomb is refused. Comments are not",
            "kept: a warning on standard error names the inputs that had some.",
            "",
            "With -o - the merged document goes to standard output instead (as --format",
            "says, default json), checked against --schema first; no file is written."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:OUT was written (warnings, if any, are on standard error)",
            "1:nothing was written: no IN exists, or an I/O failure",
            "2:usage error: no -o, an extension other than .json, .yaml, .yml",
            "3:nothing was written: another program held OUT's lock too long",
            "4:nothing was written: an IN is not valid JSON/YAML (or its YAML aliases are recursive or an"
                    + " alias bomb) or not an object, or the result violates --schema"},
        footerHeading = "%nJSON output:%n",
        footer = {
            "  {\"output\": OUT, \"inputs\": [IN merged], \"skipped\": [IN missing], \"strategy\": S,",
            "   \"arrays\": HOW or null, \"warnings\": [TEXT], \"bytes\": N, \"sha256\": HEX,",
            "   \"backup\": PATH or null}",
            "",
            "Examples:",
            "  atomicfiles merge defaults.json site.yaml local.yaml -o app.json",
            "      local.yaml may be absent: it is skipped with a warning",
            "  atomicfiles merge base.yaml prod.yaml -o app.yaml --arrays union",
            "  atomicfiles merge app.json patch.json -o app.json --strategy merge-patch",
            "      apply an RFC 7396 patch to a file in place",
            "  atomicfiles merge base.yaml prod.yaml -o - --format yaml | less",
            "      look at the result without writing it"})
final class MergeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "IN", arity = "1..*",
            description = "The files to merge, first to last: .json, .yaml or .yml files.")
    private List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true, converter = OutputConverter.class,
            description = "The file to write (.json, .yaml, .yml), or '-' for standard output. It may be one of the"
                    + " inputs.")
    private Path output;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json or yaml: the format of the document printed with -o -. Default: json."
                    + " (A file's format follows its extension.)")
    private DataFormat format;

    @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = "deep", converter = StrategyConverter.class,
            description = "deep, shallow or merge-patch (see above). Default: ${DEFAULT-VALUE}.")
    private MergeStrategy strategy;

    @Option(names = "--arrays", paramLabel = "HOW", defaultValue = "replace",
            description = "Where two arrays meet (deep and shallow): replace (the later one wins),"
                    + " append (the later one's elements after the earlier one's), union (append those not"
                    + " already there). Default: ${DEFAULT-VALUE}.")
    private ArrayMerge arrays;

    @Option(names = "--schema", paramLabel = "SCHEMA",
            description = "A JSON Schema file the merged document must satisfy; a violation is listed and nothing"
                    + " is written.")
    private Path schema;

    @Mixin
    private AuditOption audit;

    @Mixin
    private JsonOption json;

    @Override
    public Integer call() throws IOException {
        if (strategy == MergeStrategy.MERGE_PATCH && spec.commandLine().getParseResult().hasMatchedOption("--arrays")) {
            throw new ParameterException(spec.commandLine(), "--arrays applies to the deep and shallow strategies;"
                    + " merge-patch follows RFC 7396, where a later array replaces");
        }
        boolean toStandardOutput = output.toString().equals("-");
        if (format != null && !toStandardOutput) {
            throw new ParameterException(spec.commandLine(), "--format is for -o -: a file's format follows its"
                    + " extension (" + output + ")");
        }
        if (toStandardOutput && json.on()) {
            throw new ParameterException(spec.commandLine(), "--json describes the file written; with -o - the merged"
                    + " document itself is the output");
        }
        if (toStandardOutput && audit.given()) {
            throw new ParameterException(spec.commandLine(), "--audit records changes to files; -o - changes none");
        }
        if (!toStandardOutput) {
            FileArguments.structuredFormat(spec, output, null, null);
        }
        for (Path input : inputs) {
            FileArguments.structuredFormat(spec, input, null, null);
        }
        FileArguments.requireFile(schema, "--schema");
        if (toStandardOutput) {
            return print(format == null ? DataFormat.JSON : format);
        }
        MergeOptions options = MergeOptions.builder().strategy(strategy).arrays(arrays).schema(schema).build();
        List<Path> withComments = withComments();
        MergeResult result = audit.recording(() -> new AtomicFileOperations().atomicConfigMerge(inputs, output, options));

        warn(result.warnings());
        warnComments(withComments);
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            Json.print(out, toJson(result));
        } else {
            out.println(summary(result));
        }
        out.flush();
        return Main.OK;
    }

    /** {@code -o -}: the merged document on standard output, checked against the schema; no file written. */
    private int print(DataFormat printAs) throws IOException {
        List<Path> withComments = withComments();
        ConfigMerge.Merged merged = ConfigMerge.mergeFiles(inputs, strategy, arrays);
        if (schema != null) {
            Schemas.validate(schema, merged.document(), Path.of("the merged document"));
        }
        ByteArrayOutputStream document = new ByteArrayOutputStream();
        Codecs.write(printAs, merged.document(), document);
        warn(merged.warnings());
        warnComments(withComments);
        PrintWriter out = spec.commandLine().getOut();
        out.print(document.toString(StandardCharsets.UTF_8));
        out.flush();
        return Main.OK;
    }

    private void warn(List<String> warnings) {
        PrintWriter err = spec.commandLine().getErr();
        for (String warning : warnings) {
            err.println(spec.qualifiedName() + ": warning: " + warning);
        }
        err.flush();
    }

    /** The YAML inputs that have comments (read before the merge, which does not keep them). */
    private List<Path> withComments() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path input : inputs) {
            if (DataFormat.of(input).orElse(null) == DataFormat.YAML && Files.isRegularFile(input)
                    && Codecs.yamlHasComments(input)) {
                found.add(input);
            }
        }
        return found;
    }

    /** One line: "warning: base.yaml, prod.yaml: comments are not kept by merge". */
    private void warnComments(List<Path> withComments) {
        if (withComments.isEmpty()) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": warning: " + withComments.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + ": comments are not kept by merge");
        err.flush();
    }

    private ObjectNode toJson(MergeResult result) {
        ObjectNode object = Json.object();
        object.put("output", result.output().toString());
        object.set("inputs", Json.paths(result.inputs()));
        object.set("skipped", Json.paths(result.skipped()));
        object.put("strategy", StrategyConverter.name(strategy));
        object.put("arrays", strategy == MergeStrategy.MERGE_PATCH ? null : arrays.name().toLowerCase(Locale.ROOT));
        object.set("warnings", Json.strings(result.warnings()));
        object.put("bytes", result.written().size());
        object.put("sha256", result.written().sha256());
        object.put("backup", result.written().backup().map(Path::toString).orElse(null));
        return object;
    }

    /** OUT: a file name as {@link FileNameConverter} checks it, or '-' for standard output. */
    static final class OutputConverter implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return value.equals("-") ? Path.of("-") : new FileNameConverter().convert(value);
        }
    }

    /** "merged 2 of 3 inputs (deep, arrays replace) into app.json: 1 warning; 212 bytes, sha256 ..., backup ..." */
    private String summary(MergeResult result) {
        int merged = result.inputs().size();
        int given = merged + result.skipped().size();
        int warnings = result.warnings().size();
        WriteResult written = result.written();
        StringBuilder line = new StringBuilder("merged ")
                .append(merged == given ? String.valueOf(merged) : merged + " of " + given)
                .append(given == 1 ? " input" : " inputs")
                .append(" (").append(StrategyConverter.name(strategy))
                .append(strategy == MergeStrategy.MERGE_PATCH ? "" : ", arrays " + arrays.name().toLowerCase(Locale.ROOT))
                .append(") into ").append(result.output())
                .append(": ").append(warnings == 0 ? "no" : String.valueOf(warnings))
                .append(warnings == 1 ? " warning" : " warnings")
                .append("; ").append(written.size()).append(written.size() == 1 ? " byte" : " bytes")
                .append(", sha256 ").append(written.sha256());
        written.backup().ifPresent(backup -> line.append(", backup ").append(backup));
        return line.toString();
    }

    /** {@code deep}, {@code shallow}, {@code merge-patch} (any case; {@code merge_patch} too). */
    static final class StrategyConverter implements ITypeConverter<MergeStrategy> {
        @Override
        public MergeStrategy convert(String value) {
            String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (MergeStrategy strategy : MergeStrategy.values()) {
                if (strategy.name().equals(name)) {
                    return strategy;
                }
            }
            throw new TypeConversionException("expected deep, shallow or merge-patch, got '" + value + "'");
        }

        static String name(MergeStrategy strategy) {
            return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
