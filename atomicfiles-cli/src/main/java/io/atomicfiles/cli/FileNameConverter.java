package io.atomicfiles.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A file the command writes, as typed: {@code ''} (an unset shell variable, say) and a name
 * ending in {@code /} are usage errors. Without this check {@code Path.of("")} is the current
 * folder and {@code Path.of("new/")} silently drops the slash and writes a file called
 * {@code new}, which is not what a person who typed the slash meant.
 */
final class FileNameConverter implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        if (value.isEmpty()) {
            throw new TypeConversionException("the file name is empty (an unset variable?)");
        }
        if (value.endsWith("/") || value.endsWith(java.io.File.separator)) {
            throw new TypeConversionException("'" + value + "' ends with '/', which names a folder: give a file name");
        }
        return Path.of(value);
    }
}
