package io.atomicfiles.cli.plan;

import java.io.IOException;
import java.util.List;

/**
 * A transaction plan that cannot be applied as written: bad syntax, a wrong key or value, a path
 * outside the root, a content its schema rejects. Thrown before any file is touched.
 *
 * <p>The message is one line naming the plan, the operation (number and line) and the problem;
 * {@link #details()} holds further lines, such as every schema violation.
 */
public final class PlanException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> details;

    public PlanException(String message) {
        this(message, List.of(), null);
    }

    public PlanException(String message, List<String> details, Throwable cause) {
        super(message, cause);
        this.details = List.copyOf(details);
    }

    /** Lines that belong under the message, such as each schema violation; often empty. */
    public List<String> details() {
        return details;
    }
}
