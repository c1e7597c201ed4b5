package io.atomicfiles;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step a {@link RecoveryManager} can undo.
 *
 * @param operation {@code write}, {@code update} or {@code delete} (undone by putting
 *     {@code backup} back in place) or {@code create} (undone by removing {@code file})
 * @param file the file the step changed
 * @param backup the file's content before the step; null for {@code create}
 * @param metadata anything the caller wants kept with it (never null)
 * @param timestamp when the point was added
 */
public record RecoveryPoint(String operation, Path file, Path backup, Map<String, Object> metadata,
        Instant timestamp) {

    public RecoveryPoint {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(timestamp, "timestamp");
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
