package io.atomicfiles.cli;

import io.atomicfiles.AuditTrail;
import io.atomicfiles.IOCallable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --audit AUDIT_FILE}, for the commands that change files: the operation is recorded in
 * that audit trail (see {@code atomicfiles audit}), made the library's global trail for as long
 * as the command runs.
 */
final class AuditOption {

    @Option(names = "--audit", paramLabel = "AUDIT_FILE",
            description = "Record the operation in this audit trail (JSON Lines, hash-chained; created if missing),"
                    + " to read with 'atomicfiles audit show|summary|verify'.")
    private Path file;

    /** Whether {@code --audit} was given. */
    boolean given() {
        return file != null;
    }

    /** Runs {@code body} with the audit trail as the global one, if {@code --audit} was given; then puts back the one before. */
    <T> T recording(IOCallable<T> body) throws IOException {
        if (file == null) {
            return body.call();
        }
        Optional<AuditTrail> before = AuditTrail.global();
        AuditTrail.setGlobal(file);
        try {
            return body.call();
        } finally {
            if (before.isPresent()) {
                AuditTrail.setGlobal(before.get());
            } else {
                AuditTrail.clearGlobal();
            }
        }
    }
}
