package io.atomicfiles.hadoop;

import java.time.Duration;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * What a committed cluster write published.
 *
 * @param target the file that now holds the content (fully qualified)
 * @param size the number of bytes written
 * @param sha256 the hex SHA-256 of those bytes, computed while writing (and read back, with verification on)
 * @param backup {@code NAME.backup}, when the previous content was kept
 * @param duration how long the write took, lock wait included
 */
public record ClusterWriteResult(Path target, long size, String sha256, Optional<Path> backup, Duration duration) {
}
