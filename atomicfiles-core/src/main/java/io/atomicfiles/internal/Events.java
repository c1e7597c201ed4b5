package io.atomicfiles.internal;

import io.atomicfiles.internal.Log;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where library operations report what they did, for the global audit trail.
 *
 * <p>Operations call {@link #emit}; whoever installed a {@link Sink} (the global
 * {@code AuditTrail}) records it. With no sink installed an event costs one volatile read. A
 * sink that fails is logged and otherwise ignored: a broken audit file must not turn a write
 * that succeeded into one reported as failed.
 */
public final class Events {
    private static final Log LOG = Log.of(Events.class);
    private static volatile Sink sink;

    private Events() {
    }

    /**
     * One operation's outcome.
     *
     * @param status {@code started}, {@code completed} or {@code failed}
     * @param bytes bytes written, or -1
     * @param sha256 hex SHA-256 of what was written, or null
     * @param error the failure's message, or null
     */
    public record Event(String operation, Path path, String status, long bytes, String sha256, Duration duration,
            String error, Map<String, Object> metadata) {
    }

    /** Receives events. */
    @FunctionalInterface
    public interface Sink {
        void record(Event event) throws Exception;
    }

    /** Installs the sink (null removes it). */
    public static void install(Sink newSink) {
        sink = newSink;
    }

    public static boolean active() {
        return sink != null;
    }

    public static void emit(Event event) {
        Sink current = sink;
        if (current == null) {
            return;
        }
        try {
            current.record(event);
        } catch (Exception e) {
            LOG.get().warn("audit record of {} {} failed: {}", event.operation(), event.path(), e.toString());
        }
    }
}
