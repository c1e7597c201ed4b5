package io.atomicfiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Content did not satisfy its JSON Schema, or could not be parsed as the data it claims to be.
 * Nothing was written.
 *
 * <p>{@link #getViolations()} lists every violation, each with the JSON path of the offending
 * value (such as {@code $.servers[2].port}).
 */
public class ValidationException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    /** One way in which content fails its schema. */
    public record Violation(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    private final List<Violation> violations;

    public ValidationException(Path path, List<Violation> violations) {
        super(summary(path, violations), null, withViolations(path, violations));
        this.violations = List.copyOf(violations);
    }

    /** Content that could not even be parsed (not JSON, not YAML); its single violation says where. */
    public ValidationException(Path path, String problem, Throwable cause) {
        super("validate " + (path == null ? "content" : path) + " failed: " + problem, cause,
                context("validate", path, "parse"));
        this.violations = List.of(new Violation("$", problem));
    }

    private static String summary(Path path, List<Violation> violations) {
        String list = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
        return "validate " + (path == null ? "content" : path) + " failed: " + violations.size()
                + " schema violation" + (violations.size() == 1 ? "" : "s") + ": " + list;
    }

    private static Map<String, Object> withViolations(Path path, List<Violation> violations) {
        Map<String, Object> context = context("validate", path, "schema");
        context.put("violations", violations.stream().map(Violation::toString).collect(Collectors.toList()));
        return context;
    }

    /** Every violation found, in the validator's order; never empty. */
    public List<Violation> getViolations() {
        return violations;
    }
}
