package io.atomicfiles.hadoop.internal;

import io.atomicfiles.AtomicWriteException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/** The library's exceptions for cluster paths: operation, path and step in the message and the context. */
public final class Failures {
    private Failures() {
    }

    /** "write hdfs://nn/a.json failed at step 'hsync temp file': cause". */
    public static AtomicWriteException failed(String operation, Path path, String step, Throwable cause) {
        StringBuilder message = new StringBuilder(operation);
        if (path != null) {
            message.append(' ').append(path);
        }
        message.append(" failed");
        if (step != null) {
            message.append(" at step '").append(step).append('\'');
        }
        if (cause != null) {
            String detail = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
            message.append(": ").append(detail);
        }
        return new AtomicWriteException(message.toString(), cause, context(operation, path, step));
    }

    /** An {@link AtomicWriteException} passes through; anything else is wrapped with context. */
    public static AtomicWriteException wrap(String operation, Path path, String step, Throwable cause) {
        if (cause instanceof AtomicWriteException) {
            return (AtomicWriteException) cause;
        }
        return failed(operation, path, step, cause);
    }

    public static Map<String, Object> context(String operation, Path path, String step) {
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

    /** Hadoop's remote exceptions carry a whole server stack trace in their message. */
    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
