package io.atomicfiles.cli;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code atomicfiles write FILE}: writes content from a file or standard input through the
 * library's atomic write. JSON and YAML are parsed (and so may be converted) and checked
 * against a schema before anything is written; text and bytes are streamed as they are.
 */
@Command(name = "write",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        headerHeading = "%n",
        header = "Write a file atomically, from a file or from standard input.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Readers of FILE, and FILE after a crash or a power loss, show its old content",
            "or the complete new content, never a mix. The previous content is kept as",
            "FILE.backup.",
            "",
            "What FILE gets (--format) follows FILE's extension unless given: .json is",
            "json, .yaml and .yml are yaml, anything else is bytes.",
            "  json, yaml  parsed as --input-format (from SRC's extension, else the same",
            "              as --format), checked against --schema, then written in",
            "              --format: JSON indented by two, or block-style YAML. Invalid",
            "              input writes nothing.",
            "  text        copied as it is, streamed; it must be UTF-8.",
            "  bytes       copied as it is, streamed: any size, constant memory.",
            "",
            "On success one line tells what was written: path, size, SHA-256, backup."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:FILE was written",
            "1:nothing was written: invalid input, empty input for a non-empty FILE (see --allow-empty),"
                    + " schema violation, FILE exists (--create-new), FILE changed (--expect-sha256), or an I/O"
                    + " failure; FILE is as it was",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles write app.json --from app.yaml --schema app.schema.json",
            "      YAML to JSON, checked against a schema; app.json is untouched if the",
            "      content does not conform",
            "  sed s/8080/9090/ app.conf | atomicfiles write app.conf",
            "      edit a file in place through a pipe, safely: app.conf changes only",
            "      once sed has finished, and never to half a file",
            "  sha=$(atomicfiles verify state.json | cut -c1-64)",
            "  atomicfiles write state.json --expect-sha256 $sha --from new.json",
            "      replace state.json only if nobody changed it since you read it",
            "  atomicfiles write owner.txt --create-new --from me.txt",
            "      claim a file: of several racing writers exactly one succeeds",
            "  tar -c photos | atomicfiles write photos.tar --no-backup",
            "      stream any amount of data to a file, published only when complete"})
final class WriteCommand implements Callable<Integer> {
    private static final Path STANDARD_INPUT = Path.of("-");

    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The file to write. Missing parent folders are created. A symbolic link is written through.")
    private Path file;

    @Option(names = "--from", paramLabel = "SRC",
            description = "Read the content from SRC instead of standard input ('-' is standard input).")
    private Path from = STANDARD_INPUT;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json, yaml, text or bytes: what FILE gets (see above). Default: from FILE's extension.")
    private ContentType format;

    @Option(names = "--input-format", paramLabel = "FORMAT",
            description = "json or yaml: how to parse the input for a json or yaml FILE."
                    + " Default: from SRC's extension, else the same as --format.")
    private DataFormat inputFormat;

    @Option(names = "--schema", paramLabel = "SCHEMA",
            description = "A JSON Schema file (.json, .yaml or .yml). Content that violates it is rejected with"
                    + " every violation listed, and nothing is written.")
    private Path schema;

    @Option(names = "--no-backup", description = "Do not keep the previous content as FILE.backup.")
    private boolean noBackup;

    @Option(names = "--durability", paramLabel = "LEVEL", defaultValue = "full",
            description = "none: no fsync (a crash of the program is safe, a power loss may lose the write);"
                    + " file: the content reaches the disk before it is published;"
                    + " full: the folder entry too, so the new content survives a power loss once this returns."
                    + " Default: ${DEFAULT-VALUE}.")
    private Durability durability;

    @Option(names = "--create-new",
            description = "Fail, writing nothing, if FILE exists. Checking and creating are one atomic step.")
    private boolean createNew;

    @Option(names = "--expect-sha256", paramLabel = "HEX", converter = Sha256Converter.class,
            description = "Write only if FILE still has this SHA-256 (as 'atomicfiles verify' prints it),"
                    + " so that a change someone else made in between is not overwritten.")
    private String expectedSha256;

    @Option(names = "--no-verify",
            description = "Do not read the temp file back to compare its SHA-256 before publishing it.")
    private boolean noVerify;

    @Option(names = "--allow-empty",
            description = "Write even when the input is empty and FILE is not. Without it, empty input leaves a"
                    + " non-empty FILE as it was: a command that failed before the pipe must not wipe the file.")
    private boolean allowEmpty;

    @Override
    public Integer call() throws IOException {
        ContentType output = format != null ? format : formatOf(file);
        boolean structured = output == ContentType.JSON || output == ContentType.YAML;
        if (!structured && inputFormat != null) {
            throw new ParameterException(spec.commandLine(), "--input-format applies to --format json or yaml, not "
                    + lower(output) + " (text and bytes are copied as they are)");
        }
        requireReadable(schema, "--schema");
        if (!readsStandardInput()) {
            requireReadable(from, "--from");
        }
        WriteResult result = structured ? writeDocument(output) : writeStream(output == ContentType.TEXT);
        spec.commandLine().getOut().println(describe(result));
        return Main.OK;
    }

    private WriteOptions options() {
        return WriteOptions.defaults().toBuilder()
                .backup(!noBackup)
                .durability(durability)
                .createNew(createNew)
                .expectedChecksum(expectedSha256)
                .verifyIntegrity(!noVerify)
                .schema(schema)
                .build();
    }

    /** Parses the whole input first, so that invalid input never gets as far as opening FILE. */
    private WriteResult writeDocument(ContentType output) throws IOException {
        DataFormat outputFormat = output == ContentType.JSON ? DataFormat.JSON : DataFormat.YAML;
        DataFormat parseAs = inputFormat != null ? inputFormat
                : readsStandardInput() ? outputFormat : DataFormat.of(from).orElse(outputFormat);
        byte[] input = readsStandardInput() ? main.stdin().readAllBytes() : Files.readAllBytes(from);
        // The name that parse errors give the input ("standard input is not valid JSON at line 2, ...").
        Path source = readsStandardInput() ? Path.of("standard input") : from;
        if (new String(input, StandardCharsets.UTF_8).isBlank()) {
            throw new ValidationException(source, source + " is empty: expected a " + parseAs + " document", null);
        }
        JsonNode document = Codecs.read(input, parseAs, source);
        return AtomicFiles.write(file, options(), writer -> {
            if (outputFormat == DataFormat.JSON) {
                writer.writeJson(document);
            } else {
                writer.writeYaml(document);
            }
        });
    }

    /** Copies the input as it is, in chunks: any size, constant memory. */
    private WriteResult writeStream(boolean mustBeText) throws IOException {
        return AtomicFiles.write(file, options(), writer -> {
            long copied;
            if (readsStandardInput()) {
                copied = copy(main.stdin(), writer, mustBeText);
            } else {
                try (InputStream in = Files.newInputStream(from)) {
                    copied = copy(in, writer, mustBeText);
                }
            }
            if (copied == 0 && !allowEmpty) {
                refuseEmptyOverContent(writer.target());
            }
        });
    }

    /**
     * {@code sed ... app.conf | atomicfiles write app.conf} with a failed {@code sed} gives empty
     * input: replacing the file with nothing is refused (checked under the file's lock), unless
     * {@code --allow-empty}.
     */
    private static void refuseEmptyOverContent(Path target) throws IOException {
        long size;
        try {
            size = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        } catch (NoSuchFileException e) {
            return;
        }
        if (size > 0) {
            throw new AtomicWriteException("write " + target + " refused: the input is empty, and " + target + " has "
                    + size + (size == 1 ? " byte" : " bytes") + "; it is left as it was (did the command before the pipe"
                    + " fail?). Give --allow-empty to write an empty file.", null,
                    Map.of("operation", "write", "path", target.toString(), "step", "check input"));
        }
    }

    private long copy(InputStream in, AtomicWriter writer, boolean mustBeText) throws IOException {
        OutputStream out = writer.outputStream();
        if (!mustBeText) {
            return in.transferTo(out);
        }
        Utf8Check text = new Utf8Check(out, file);
        long copied = in.transferTo(text);
        text.finish();
        return copied;
    }

    private boolean readsStandardInput() {
        return from.equals(STANDARD_INPUT);
    }

    /** "wrote /srv/app.json: 412 bytes, sha256 9f86…, backup /srv/app.json.backup" */
    private static String describe(WriteResult result) {
        StringBuilder line = new StringBuilder("wrote ").append(result.target())
                .append(": ").append(result.size()).append(result.size() == 1 ? " byte" : " bytes")
                .append(", sha256 ").append(result.sha256());
        result.backup().ifPresent(backup -> line.append(", backup ").append(backup));
        return line.toString();
    }

    private static ContentType formatOf(Path file) {
        return DataFormat.of(file)
                .map(format -> format == DataFormat.JSON ? ContentType.JSON : ContentType.YAML)
                .orElse(ContentType.BYTES);
    }

    /** A missing input is reported before anything is read or opened. */
    private static void requireReadable(Path path, String option) throws IOException {
        if (path == null) {
            return;
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, option + " names a file that does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, option + " names a folder, not a file");
        }
    }

    private static String lower(ContentType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
