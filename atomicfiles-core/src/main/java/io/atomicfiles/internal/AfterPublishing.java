package io.atomicfiles.internal;

import io.atomicfiles.AtomicWriteException;
import java.nio.file.Path;

/**
 * A failure after an operation's result was published: what remains is clean-up (the source of
 * a move across filesystems, left in place). A {@link io.atomicfiles.RetryPolicy} never retries
 * it: the whole operation again would publish once more, and its backup step would replace the
 * target's backup, which holds the content the first attempt replaced, with that attempt's own
 * result (the content the target had before would then be nowhere).
 */
public final class AfterPublishing extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    public AfterPublishing(String operation, Path path, String step, Throwable cause) {
        super(describe(operation, path, step, cause), cause, context(operation, path, step));
    }
}
