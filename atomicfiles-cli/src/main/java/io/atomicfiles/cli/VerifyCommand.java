package io.atomicfiles.cli;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code atomicfiles verify FILE...}: prints each file's SHA-256 the way {@code sha256sum}
 * does, and fails when a file does not have the SHA-256 it should; {@code verify -c SUMS} checks
 * the files that {@code sha256sum}'s output lists, as {@code sha256sum -c} does.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Print the SHA-256 of files, or check them against expected SHA-256s.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Prints one line per FILE, '<sha256>  FILE', as sha256sum does; 'atomicfiles",
            "write' prints the same SHA-256 for what it wrote. With --expect-sha256 or",
            "--against, each FILE must have that SHA-256: a mismatch is reported on",
            "standard error and the exit code is 1.",
            "",
            "With -c SUMS, reads SUMS as sha256sum writes it ('<sha256>  FILE' for text",
            "mode, '<sha256> *FILE' for binary mode, 'SHA256 (FILE) = <sha256>' with",
            "--tag; a name with a backslash or newline escaped as sha256sum does) and",
            "checks each FILE listed, relative to the current folder: 'FILE: OK',",
            "'FILE: FAILED', or 'FILE: FAILED open or read' on standard output (with -q,",
            "the failures on standard error), and a count of the failures on standard",
            "error. Lines that are not checksum lines are counted and skipped."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every FILE was read (and matches, when a SHA-256 is expected)",
            "1:a FILE does not match, or could not be read (as sha256sum -c)",
            "2:usage error",
            "4:SUMS holds no checksum line at all"},
        footerHeading = "%nJSON output (one object per line, one per FILE):%n",
        footer = {
            "  {\"path\": FILE, \"sha256\": HEX or null when unreadable, \"expected\": HEX (when one is",
            "   expected), \"ok\": true|false (when one is expected, or unreadable), \"error\": TEXT (when",
            "   unreadable)}",
            "",
            "Examples:",
            "  atomicfiles verify config.json",
            "      print its SHA-256, sha256sum style",
            "  atomicfiles verify config.json --expect-sha256 \"$EXPECTED\"",
            "      exit 1, with a message, unless config.json has that SHA-256",
            "  atomicfiles verify config.json --against config.json.backup",
            "      did the last write change anything?",
            "  sha256sum *.iso > SHA256SUMS; atomicfiles verify -c SHA256SUMS",
            "      check them later, as sha256sum -c would"})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "The files to hash (not with -c).")
    private List<Path> files = new ArrayList<>();

    @ArgGroup(exclusive = true)
    private Expected expected;

    @Mixin
    private JsonOption json;

    /** What each FILE must hash to: a SHA-256 given, another file's, or the ones a checksum list gives. */
    static final class Expected {
        @Option(names = "--expect-sha256", paramLabel = "HEX", required = true, converter = Sha256Converter.class,
                description = "The SHA-256 each FILE must have (64 hex digits, any case).")
        private String sha256;

        @Option(names = "--against", paramLabel = "FILE2", required = true,
                description = "Each FILE must have the same content as FILE2.")
        private Path reference;

        @Option(names = {"-c", "--check"}, paramLabel = "SUMS", required = true,
                description = "Check the files listed in SUMS, sha256sum's output ('-' for standard input).")
        private Path sums;
    }

    /** One file's check: the SHA-256 found (null when unreadable), and what was expected (null for none). */
    private record Checked(Path file, String actual, String expected, String error) {
        boolean ok() {
            return actual != null && (expected == null || expected.equals(actual));
        }
    }

    @Override
    public Integer call() throws IOException {
        if (expected != null && expected.sums != null) {
            if (!files.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "-c SUMS checks the files SUMS lists:"
                        + " give no FILE with it");
            }
            return checkList();
        }
        if (files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'FILE' (or -c SUMS)");
        }
        return checkFiles();
    }

    private int checkFiles() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String expectedSha256 = null;
        String source = null;
        if (expected != null && expected.sha256 != null) {
            expectedSha256 = expected.sha256;
            source = "--expect-sha256";
        } else if (expected != null) {
            expectedSha256 = checksum(expected.reference);
            source = expected.reference.toString();
        }
        int failures = 0;
        for (Path file : files) {
            Checked checked = check(file, expectedSha256);
            if (json.on()) {
                Json.print(out, toJson(checked));
            } else if (checked.actual() != null) {
                out.println(checked.actual() + "  " + file);
            }
            if (checked.actual() == null) {
                err.println(spec.qualifiedName() + ": " + checked.error());
            } else if (!checked.ok()) {
                err.println(spec.qualifiedName() + ": " + file + ": SHA-256 mismatch: expected " + expectedSha256
                        + " (" + source + "), found " + checked.actual());
            }
            failures += checked.ok() ? 0 : 1;
        }
        out.flush();
        err.flush();
        return failures == 0 ? Main.OK : Main.FAILED;
    }

    /** {@code -c SUMS}: as {@code sha256sum -c}. */
    private int checkList() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean fromStandardInput = expected.sums.toString().equals("-");
        String name = fromStandardInput ? "standard input" : expected.sums.toString();
        byte[] content = fromStandardInput ? ((Main) spec.root().userObject()).stdin().readAllBytes()
                : readSums(expected.sums);
        ChecksumList list = ChecksumList.parse(new String(content, StandardCharsets.UTF_8));
        if (list.entries().isEmpty()) {
            throw new InvalidInputException(name + ": no SHA-256 checksum line found (expected sha256sum's output:"
                    + " '<64 hex digits>  FILE' or '<64 hex digits> *FILE')");
        }
        int mismatched = 0;
        int unreadable = 0;
        boolean quiet = Main.quiet(spec);
        for (ChecksumList.Entry entry : list.entries()) {
            Checked checked = check(Path.of(entry.file()), entry.sha256());
            if (json.on()) {
                Json.print(out, toJson(checked));
                mismatched += checked.actual() != null && !checked.ok() ? 1 : 0;
                unreadable += checked.actual() == null ? 1 : 0;
                continue;
            }
            String line;
            if (checked.actual() == null) {
                unreadable++;
                line = entry.file() + ": FAILED open or read";
                err.println(spec.qualifiedName() + ": " + checked.error());
            } else if (!checked.ok()) {
                mismatched++;
                line = entry.file() + ": FAILED";
            } else {
                line = entry.file() + ": OK";
            }
            (quiet && !line.endsWith(": OK") ? err : out).println(line);
        }
        if (list.malformed() > 0) {
            err.println(spec.qualifiedName() + ": " + name + ": " + count(list.malformed(), "line is", "lines are")
                    + " not a checksum line (skipped)");
        }
        if (unreadable > 0) {
            err.println(spec.qualifiedName() + ": " + count(unreadable, "listed file", "listed files")
                    + " could not be read");
        }
        if (mismatched > 0) {
            err.println(spec.qualifiedName() + ": " + count(mismatched, "computed checksum", "computed checksums")
                    + " did NOT match");
        }
        out.flush();
        err.flush();
        return mismatched + unreadable == 0 ? Main.OK : Main.FAILED;
    }

    /** "1 line is", "3 lines are": a count with its noun (and verb) in the right number. */
    static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private Checked check(Path file, String expectedSha256) {
        try {
            return new Checked(file, checksum(file), expectedSha256, null);
        } catch (IOException e) {
            return new Checked(file, null, expectedSha256, Errors.describe(e));
        }
    }

    private static ObjectNode toJson(Checked checked) {
        ObjectNode object = Json.object();
        object.put("path", checked.file().toString());
        object.put("sha256", checked.actual());
        if (checked.expected() != null) {
            object.put("expected", checked.expected());
        }
        if (checked.expected() != null || checked.actual() == null) {
            object.put("ok", checked.ok());
        }
        if (checked.error() != null) {
            object.put("error", checked.error());
        }
        return object;
    }

    private static byte[] readSums(Path sums) throws IOException {
        if (Files.isDirectory(sums)) {
            throw new FileSystemException(sums.toString(), null, "-c names a folder, not a file");
        }
        if (!Files.exists(sums)) {
            throw new NoSuchFileException(sums.toString(), null, "-c names a file that does not exist");
        }
        return Files.readAllBytes(sums);
    }

    private static String checksum(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a folder, not a file");
        }
        return AtomicFiles.checksum(file);
    }
}
