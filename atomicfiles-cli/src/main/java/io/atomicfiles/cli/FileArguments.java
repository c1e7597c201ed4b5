package io.atomicfiles.cli;

import io.atomicfiles.format.DataFormat;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks of the files and folders a command line names, made before anything is read or written. */
final class FileArguments {
    private FileArguments() {
    }

    /**
     * A file that must exist and be a file (not a folder); null (an option not given) passes.
     *
     * @param role how the command line named it, such as {@code --schema}, for the message
     */
    static void requireFile(Path path, String role) throws IOException {
        if (path == null) {
            return;
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, role + " names a file that does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, role + " names a folder, not a file");
        }
    }

    /** A folder that must exist. */
    static void requireFolder(Path path, String role) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, role + " names a folder that does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new NotDirectoryException(path.toString());
        }
    }

    /**
     * The structured format of {@code file}: {@code given} when the user chose one, else from the
     * extension; a file of another extension is a usage error naming {@code formatOption}.
     */
    static DataFormat structuredFormat(CommandSpec spec, Path file, DataFormat given, String formatOption) {
        if (given != null) {
            return given;
        }
        Optional<DataFormat> format = DataFormat.of(file);
        if (format.isEmpty()) {
            String advice = formatOption == null ? "" : ", or choose one with " + formatOption + " json|yaml";
            throw new ParameterException(spec.commandLine(), file + ": cannot tell JSON from YAML by its name:"
                    + " expected .json, .yaml or .yml" + advice);
        }
        return format.get();
    }
}
