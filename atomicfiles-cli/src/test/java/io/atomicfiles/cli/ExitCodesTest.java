package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.LockTimeoutException;
import io.atomicfiles.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The failures a test of the jar cannot bring about on demand (a disk returning other bytes, a
 * lock held for a minute, a full disk): their exit code and their line.
 */
class ExitCodesTest {
    private static final Path FILE = Path.of("/srv/app/config.json");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void eachKindOfFailureHasItsCode() {
        assertThat(ExitCodes.of(new IntegrityException("write", FILE, "temp file read back", A, B)))
                .isEqualTo(Main.INTEGRITY);
        assertThat(ExitCodes.of(new UncheckedIOException(new IntegrityException("write", FILE, "temp file read back",
                A, B)))).isEqualTo(Main.INTEGRITY);
        assertThat(ExitCodes.of(new IntegrityException("write", FILE, "target's current content (expectedChecksum)",
                A, B))).isEqualTo(Main.CONFLICT);
        assertThat(ExitCodes.of(new LockTimeoutException(FILE, Duration.ofSeconds(60)))).isEqualTo(Main.CONFLICT);
        assertThat(ExitCodes.of(new FileAlreadyExistsException(FILE.toString(), null,
                "createNew: the target already exists"))).isEqualTo(Main.CONFLICT);
        assertThat(ExitCodes.of(new ValidationException(FILE, "not JSON", null))).isEqualTo(Main.INVALID);
        assertThat(ExitCodes.of(new InvalidInputException("an edit that does not fit"))).isEqualTo(Main.INVALID);
        assertThat(ExitCodes.of(new IOException("No space left on device"))).isEqualTo(Main.FAILED);
        assertThat(ExitCodes.of(new IllegalStateException("anything else"))).isEqualTo(Main.FAILED);
    }

    @Test
    void theirLinesArePlainWords() {
        assertThat(Errors.describe(new LockTimeoutException(FILE, Duration.ofSeconds(60))))
                .isEqualTo(FILE + " is busy: another program held its lock for more than 1m; nothing changed");
        assertThat(Errors.describe(new IntegrityException("write", FILE, "temp file read back", A, B)))
                .isEqualTo("write " + FILE + " failed: checksum mismatch on temp file read back: expected SHA-256 "
                        + A + " but found " + B);
        AtomicWriteException full = AtomicWriteException.failed("write", FILE, "finish temp file",
                new FileSystemException("/srv/app/.config.json.tmp-0123456789ab", null, "No space left on device"));
        assertThat(Errors.describe(full)).isEqualTo("no space left on device: cannot create files in /srv/app");
        AtomicWriteException replace = AtomicWriteException.failed("write", FILE, "publish",
                new AccessDeniedException("/srv/app/.config.json.tmp-0123456789ab", FILE.toString(), null));
        assertThat(Errors.describe(replace)).isEqualTo("permission denied: cannot create files in /srv/app");
        AtomicWriteException backup = AtomicWriteException.failed("write", FILE, "keep backup",
                new AccessDeniedException(FILE + ".backup"));
        assertThat(Errors.describe(backup)).isEqualTo("permission denied: cannot keep the backup of " + FILE
                + " in /srv/app");
        assertThat(Errors.describe(new IllegalStateException()))
                .isEqualTo("unexpected failure (run again with -v for the details)");
    }
}
