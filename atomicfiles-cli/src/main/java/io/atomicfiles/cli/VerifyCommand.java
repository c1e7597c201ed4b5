package io.atomicfiles.cli;

import io.atomicfiles.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atomicfiles verify FILE...}: prints each file's SHA-256 the way {@code sha256sum}
 * does, and fails when a file does not have the SHA-256 it should.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        headerHeading = "%n",
        header = "Print the SHA-256 of files, or check them against an expected SHA-256.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Prints one line per FILE, '<sha256>  FILE', as sha256sum does; 'atomicfiles",
            "write' prints the same SHA-256 for what it wrote. With --expect-sha256 or",
            "--against, each FILE must have that SHA-256: a mismatch is reported on",
            "standard error and the exit code is 1."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every FILE was read (and matches, when a SHA-256 is expected)",
            "1:a FILE does not match, or could not be read",
            "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  atomicfiles verify config.json",
            "      print its SHA-256, sha256sum style",
            "  atomicfiles verify config.json --expect-sha256 \"$EXPECTED\"",
            "      exit 1, with a message, unless config.json has that SHA-256",
            "  atomicfiles verify config.json --against config.json.backup",
            "      did the last write change anything?"})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "The files to hash.")
    private List<Path> files;

    @ArgGroup(exclusive = true)
    private Expected expected;

    /** What each FILE must hash to: a SHA-256 given, or another file's. */
    static final class Expected {
        @Option(names = "--expect-sha256", paramLabel = "HEX", required = true, converter = Sha256Converter.class,
                description = "The SHA-256 each FILE must have (64 hex digits, any case).")
        private String sha256;

        @Option(names = "--against", paramLabel = "FILE2", required = true,
                description = "Each FILE must have the same content as FILE2.")
        private Path reference;
    }

    @Override
    public Integer call() throws IOException {
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
            String actual;
            try {
                actual = checksum(file);
            } catch (IOException e) {
                err.println(spec.qualifiedName() + ": " + Errors.describe(e));
                failures++;
                continue;
            }
            out.println(actual + "  " + file);
            if (expectedSha256 != null && !expectedSha256.equals(actual)) {
                err.println(spec.qualifiedName() + ": " + file + ": SHA-256 mismatch: expected " + expectedSha256
                        + " (" + source + "), found " + actual);
                failures++;
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? Main.OK : Main.FAILED;
    }

    private static String checksum(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a folder, not a file");
        }
        return AtomicFiles.checksum(file);
    }
}
