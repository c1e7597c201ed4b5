package io.atomicfiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a config merge produced.
 *
 * @param merged the merged document, as written to {@code output}
 * @param warnings type conflicts (naming the key path and the file that won) and skipped inputs
 * @param inputs the input files merged, in order
 * @param skipped the input files that did not exist
 * @param output the file written
 * @param written what the write published
 */
public record MergeResult(Map<String, Object> merged, List<String> warnings, List<Path> inputs, List<Path> skipped,
        Path output, WriteResult written) {

    public MergeResult {
        warnings = List.copyOf(warnings);
        inputs = List.copyOf(inputs);
        skipped = List.copyOf(skipped);
    }
}
