package io.atomicfiles.cli;

import io.atomicfiles.TransactionOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A transaction id given on the command line, checked as the library checks it; a bad one is a usage error. */
final class TransactionIdConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            TransactionOptions.builder().transactionId(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected 1-64 letters, digits, '.', '_' or '-', starting with a letter"
                    + " or digit, got '" + value + "'");
        }
        return value;
    }
}
