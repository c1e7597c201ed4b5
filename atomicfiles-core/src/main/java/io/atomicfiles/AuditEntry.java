package io.atomicfiles;

import io.atomicfiles.format.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One record of an {@link AuditTrail}: one line of its JSON Lines file.
 *
 * <p>The line's fields, in this order: {@code ts} (ISO-8601 instant), {@code session},
 * {@code pid}, {@code op}, {@code path}, {@code status}, {@code bytes}, {@code sha256},
 * {@code durationMs}, {@code tx}, {@code batch}, {@code error}, {@code metadata}, {@code prev}
 * and {@code hash}. Fields without a value are left out of the line.
 *
 * @param timestamp when the record was made
 * @param sessionId the session of the {@link AuditTrail} that wrote it
 * @param pid the id of the process that wrote it
 * @param operation such as {@code write}, {@code copy}, {@code rotate}, {@code json_update},
 *     {@code batch_start_NAME}
 * @param path the file operated on, or null (a batch names none)
 * @param status {@code started}, {@code completed}, {@code failed}, or {@code retry} for an
 *     attempt that failed and was tried again
 * @param metadata what else the operation reported (never null)
 * @param error the failure's message, or null
 * @param bytes the bytes written, or -1 when none or unknown
 * @param sha256 the hex SHA-256 of what was written, or null
 * @param duration how long the operation took, or null
 * @param transactionId the transaction the operation belonged to, or null
 * @param batchId the batch the operation ran in, or null
 * @param previousHash the hash of the record before it
 * @param hash this record's own hash
 */
public record AuditEntry(Instant timestamp, String sessionId, long pid, String operation, Path path, String status,
        Map<String, Object> metadata, String error, long bytes, String sha256, Duration duration,
        String transactionId, String batchId, String previousHash, String hash) {

    public static final String STARTED = "started";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String RETRY = "retry";

    public AuditEntry {
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Whether this record is the outcome of an operation (completed or failed), as counted in a summary. */
    public boolean isOutcome() {
        return COMPLETED.equals(status) || FAILED.equals(status);
    }

    /** The record as the JSON object written to the file, without {@code prev} and {@code hash}. */
    ObjectNode toJson() {
        ObjectNode node = Codecs.json().createObjectNode();
        node.put("ts", timestamp.toString());
        node.put("session", sessionId);
        node.put("pid", pid);
        node.put("op", operation);
        if (path != null) {
            node.put("path", path.toString());
        }
        node.put("status", status);
        if (bytes >= 0) {
            node.put("bytes", bytes);
        }
        putIfPresent(node, "sha256", sha256);
        if (duration != null) {
            node.put("durationMs", duration.toNanos() / 1_000_000.0);
        }
        putIfPresent(node, "tx", transactionId);
        putIfPresent(node, "batch", batchId);
        putIfPresent(node, "error", error);
        if (!metadata.isEmpty()) {
            node.set("metadata", metadataTree(metadata));
        }
        return node;
    }

    /** Reads a record back from its line's JSON. */
    static AuditEntry fromJson(JsonNode node) {
        Path path = node.hasNonNull("path") ? Path.of(node.get("path").asString()) : null;
        Duration duration = node.hasNonNull("durationMs")
                ? Duration.ofNanos(Math.round(node.get("durationMs").asDouble() * 1_000_000)) : null;
        Map<String, Object> metadata = node.path("metadata").isObject()
                ? Codecs.toMap((ObjectNode) node.get("metadata")) : Map.of();
        return new AuditEntry(Instant.parse(node.path("ts").asString()), text(node, "session"),
                node.path("pid").asLong(-1), text(node, "op"), path, text(node, "status"), metadata,
                text(node, "error"), node.path("bytes").asLong(-1), text(node, "sha256"), duration,
                text(node, "tx"), text(node, "batch"), text(node, "prev"), text(node, "hash"));
    }

    private static JsonNode metadataTree(Map<String, Object> metadata) {
        ObjectNode tree = Codecs.json().createObjectNode();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            Object value = e.getValue();
            if (value instanceof Path) {
                value = value.toString();
            }
            try {
                tree.set(e.getKey(), Codecs.toTree(value));
            } catch (RuntimeException notSerialisable) {
                tree.put(e.getKey(), String.valueOf(value));
            }
        }
        return tree;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asString() : null;
    }
}
