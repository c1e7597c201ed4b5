package io.atomicfiles.format;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The structured formats the library reads and writes, chosen by file extension. */
public enum DataFormat {
    JSON,
    YAML;

    /** {@code .json} is JSON; {@code .yaml} and {@code .yml} are YAML (any case); anything else is neither. */
    public static Optional<DataFormat> of(Path file) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json")) {
            return Optional.of(JSON);
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return Optional.of(YAML);
        }
        return Optional.empty();
    }

    /** Like {@link #of(Path)}, but an unknown extension is an {@link IllegalArgumentException}. */
    public static DataFormat require(Path file, String operation) {
        return of(file).orElseThrow(() -> new IllegalArgumentException(operation + ": cannot tell the format of "
                + file + " from its extension; use .json, .yaml or .yml"));
    }
}
