package io.atomicfiles;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An atomic operation failed; the files it was about to change are as they were before it.
 *
 * <p>The {@linkplain #getOperationContext() operation context} says what was being done:
 * at least {@code operation} (such as {@code "write"}), {@code path} and, where the failure
 * happened inside a protocol, {@code step} (such as {@code "fsync temp file"}). The
 * {@linkplain #getCause() cause} is the underlying error, where there was one.
 */
public class AtomicWriteException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> operationContext;
    private final Instant timestamp;

    public AtomicWriteException(String message, Throwable cause, Map<String, ?> operationContext) {
        super(message, cause);
        this.operationContext = Collections.unmodifiableMap(new LinkedHashMap<>(operationContext));
        this.timestamp = Instant.now();
    }

    public AtomicWriteException(String message, Throwable cause) {
        this(message, cause, Map.of());
    }

    public AtomicWriteException(String message) {
        this(message, null, Map.of());
    }

    /**
     * A failure of {@code operation} on {@code path} at {@code step}; the message names all three
     * and the cause's own message.
     */
    public static AtomicWriteException failed(String operation, Path path, String step, Throwable cause) {
        return new AtomicWriteException(describe(operation, path, step, cause), cause, context(operation, path, step));
    }

    /** The context every exception of this library carries: operation, path and step. */
    protected static Map<String, Object> context(String operation, Path path, String step) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("operation", operation);
        if (path != null) {
            context.put("path", path.toString());
        }
        if (step != null) {
            context.put("step", step);
        }
        return context;
    }

    /** "write /a/b.json failed at step 'fsync temp file': No space left on device". */
    protected static String describe(String operation, Path path, String step, Throwable cause) {
        StringBuilder message = new StringBuilder(operation);
        if (path != null) {
            message.append(' ').append(path);
        }
        message.append(" failed");
        if (step != null) {
            message.append(" at step '").append(step).append('\'');
        }
        if (cause != null) {
            String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (cause instanceof java.nio.file.FileSystemException) {
                detail = cause.getClass().getSimpleName() + ": " + detail;
            }
            message.append(": ").append(detail);
        }
        return message.toString();
    }

    /** What was being done when the failure happened: operation, path, step and more. Never null. */
    public Map<String, Object> getOperationContext() {
        return operationContext;
    }

    /** When the failure was detected. */
    public Instant getTimestamp() {
        return timestamp;
    }
}
