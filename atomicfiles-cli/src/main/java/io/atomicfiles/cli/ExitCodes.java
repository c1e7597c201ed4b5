package io.atomicfiles.cli;

import io.atomicfiles.IntegrityException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.ValidationException;
import io.atomicfiles.cli.plan.PlanException;
import java.nio.file.FileAlreadyExistsException;

/**
 * Which exit code a failure gets, so that a script can tell what happened without reading the
 * message: {@link Main#CONFLICT} for a precondition or a lost race (retry after looking again),
 * {@link Main#INVALID} for rejected input (fix the input), {@link Main#INTEGRITY} for a checksum
 * that did not hold (suspect the disk or an edit), {@link Main#FAILED} for everything else
 * (I/O, permissions, missing files). Nothing was changed in any of these cases.
 */
final class ExitCodes {
    private ExitCodes() {
    }

    static int of(Throwable failure) {
        Throwable e = Errors.unwrap(failure);
        if (e instanceof FileAlreadyExistsException || e instanceof LockTimeoutException
                || Errors.isExpectedChecksumMismatch(e)) {
            return Main.CONFLICT;
        }
        if (e instanceof IntegrityException) {
            return Main.INTEGRITY;
        }
        if (e instanceof ValidationException || e instanceof PlanException || e instanceof InvalidInputException) {
            return Main.INVALID;
        }
        return Main.FAILED;
    }
}
