package io.atomicfiles;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What a committed write published.
 *
 * @param target the file that now holds the content (a symbolic link's target, when written through one)
 * @param size the number of bytes written
 * @param sha256 the hex SHA-256 of those bytes, as computed while writing (with verification on, the bytes read
 *     back were compared with them by CRC32C, chunk by chunk)
 * @param backup {@code NAME.backup}, when the previous content was kept
 * @param duration how long the write took, lock wait included
 */
public record WriteResult(Path target, long size, String sha256, Optional<Path> backup, Duration duration) {
}
