package io.atomicfiles.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A SHA-256 given on the command line: 64 hex digits, any case; a typo is a usage error (exit 2). */
final class Sha256Converter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        if (!value.matches("[0-9a-fA-F]{64}")) {
            throw new TypeConversionException("expected a SHA-256 as 64 hex digits (as 'atomicfiles verify' or"
                    + " sha256sum print it), got '" + value + "' (" + value.length() + " characters)");
        }
        return value.toLowerCase(Locale.ROOT);
    }
}
