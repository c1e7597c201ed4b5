package io.atomicfiles;

import io.atomicfiles.internal.Log;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.ConfigMerge;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.internal.Audited;
import io.atomicfiles.internal.BackupCleanup;
import io.atomicfiles.internal.CombinedUpdates;
import io.atomicfiles.internal.Events;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Read-modify-write updates, config merges, backup cleanup and batches, each recorded in an
 * {@link AuditTrail}.
 *
 * <pre>{@code
 * AtomicFileOperations ops = new AtomicFileOperations(Path.of("operations.audit"));
 * ops.atomicJsonUpdate(Path.of("settings.json"), data -> { data.put("updated", true); return data; });
 * ops.atomicConfigMerge(List.of(Path.of("base.json"), Path.of("env.yaml")), Path.of("final.json"));
 * ops.batchOperation("deploy", () -> { ... });
 * ops.displayAuditSummary();
 * }</pre>
 *
 * <p>Every operation leaves one record ({@code completed} or {@code failed}) in this object's
 * trail, and in the global trail when one is set (once, if they are the same trail). The
 * writes follow the atomic write protocol with this object's {@link WriteOptions}. Instances
 * are thread-safe.
 */
public final class AtomicFileOperations {
    /** The files {@link #cleanupBackups(Path, Duration)} removes: the backups writes keep. */
    public static final String DEFAULT_BACKUP_GLOB = "*.backup";

    private static final Log LOG = Log.of(AtomicFileOperations.class);

    private final AuditTrail trail;
    private final WriteOptions writeOptions;
    private final Consumer<Events.Event> recordHere;

    /** Operations recorded in a trail kept in memory (and in the global trail, when set). */
    public AtomicFileOperations() {
        this(AuditTrail.inMemory(), WriteOptions.defaults());
    }

    /** Operations recorded in {@code auditFile} (see {@link AuditTrail#AuditTrail(Path)}). */
    public AtomicFileOperations(Path auditFile) throws IOException {
        this(new AuditTrail(auditFile), WriteOptions.defaults());
    }

    /** Operations recorded in {@code trail}, writing with {@code writeOptions} (retry policy included). */
    public AtomicFileOperations(AuditTrail trail, WriteOptions writeOptions) {
        this.trail = Objects.requireNonNull(trail, "trail");
        this.writeOptions = Objects.requireNonNull(writeOptions, "writeOptions");
        this.recordHere = this::recordInTrail;
    }

    /** The trail this object records into. */
    public AuditTrail auditTrail() {
        return trail;
    }

    // ---------------------------------------------------------------- read-modify-write

    /** {@link #atomicJsonUpdate(Path, UnaryOperator, boolean, Object)}: a missing file starts empty, no schema. */
    public Map<String, Object> atomicJsonUpdate(Path path, UnaryOperator<Map<String, Object>> update)
            throws IOException {
        return atomicJsonUpdate(path, update, true, null);
    }

    /**
     * Reads the JSON object in {@code path}, applies {@code update} and writes the result back
     * atomically, holding the file's lock (in this JVM and across processes) from the read to
     * the write, so that no concurrent update through this library is ever lost.
     *
     * <p>{@code update} gets a mutable, insertion-ordered map; it may change it and return it,
     * or return another map. It may run more than once when the write options retry (it should
     * have no other effects). If it throws, nothing is written.
     *
     * <p>Updates of the same file that threads of this JVM make at the same time (with the same
     * options) are combined: the functions are applied in arrival order, each to the document the
     * previous one produced, and the result is written once; each caller returns when that write
     * is durable, with the document its own function produced, and a function that throws fails
     * its own caller alone. So {@code update} may run on another thread than the caller's (another
     * caller's, or one of the library's): it should not rely on the caller's thread (its
     * thread-locals, a logging context, its context class loader), nor take a lock that its
     * caller may hold around this call (a monitor, say), which another thread would wait for
     * while the caller waits for the update: forever. An update made from inside another
     * update's function is never combined: it runs on its caller's thread, as one by one. An
     * interrupt of a caller whose update is being written with others' does not stop that write:
     * the caller gets its outcome, its interrupt status kept. A caller updating alone may be
     * stopped by one, as any write: it fails, and the file is as it was.
     *
     * @param createIfMissing a missing file starts as an empty map; when false, it is a {@link NoSuchFileException}
     * @param schema a JSON Schema the new content must satisfy, or null
     * @return the map written
     * @throws ValidationException when the file is not a JSON object or the result violates the schema
     */
    public Map<String, Object> atomicJsonUpdate(Path path, UnaryOperator<Map<String, Object>> update,
            boolean createIfMissing, Object schema) throws IOException {
        return update("json_update", DataFormat.JSON, path, update, createIfMissing, schema);
    }

    /** The YAML twin of {@link #atomicJsonUpdate(Path, UnaryOperator)}. */
    public Map<String, Object> atomicYamlUpdate(Path path, UnaryOperator<Map<String, Object>> update)
            throws IOException {
        return atomicYamlUpdate(path, update, true, null);
    }

    /** The YAML twin of {@link #atomicJsonUpdate(Path, UnaryOperator, boolean, Object)}. */
    public Map<String, Object> atomicYamlUpdate(Path path, UnaryOperator<Map<String, Object>> update,
            boolean createIfMissing, Object schema) throws IOException {
        return update("yaml_update", DataFormat.YAML, path, update, createIfMissing, schema);
    }

    private Map<String, Object> update(String operation, DataFormat format, Path path,
            UnaryOperator<Map<String, Object>> update, boolean createIfMissing, Object schema) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(update, "update");
        WriteOptions withSchema = writeOptions.toBuilder()
                .schema(schema != null ? schema : writeOptions.schema().orElse(null)).build();
        AtomicReference<Map<String, Object>> written = new AtomicReference<>();
        Audited.call(operation, path, Map.of(), () -> {
            CombinedUpdates.Served served = DocumentUpdates.run(operation, format, path, update, createIfMissing,
                    withSchema);
            written.set(served.document());
            return served.write();
        }, recordHere);
        return written.get();
    }

    // ---------------------------------------------------------------- config merge

    /** Deep-merges {@code files} into {@code output}; see {@link #atomicConfigMerge(List, Path, MergeOptions)}. */
    public Map<String, Object> atomicConfigMerge(List<Path> files, Path output) throws IOException {
        return atomicConfigMerge(files, output, MergeOptions.defaults()).merged();
    }

    /** Merges {@code files} into {@code output} by {@code strategy}, arrays replaced. */
    public Map<String, Object> atomicConfigMerge(List<Path> files, Path output, MergeStrategy strategy)
            throws IOException {
        return atomicConfigMerge(files, output, MergeOptions.of(strategy)).merged();
    }

    /**
     * Merges configuration files, each over the result of the ones before it, and writes the
     * result to {@code output} atomically, in the format its extension names. Inputs may mix
     * {@code .json}, {@code .yaml} and {@code .yml}; a missing input is skipped with a warning;
     * a type conflict is resolved by the later file with a warning naming the key path. The
     * warnings are logged and returned.
     *
     * @throws IllegalArgumentException when an input's or the output's extension is none of those
     * @throws ValidationException when an input is not valid JSON/YAML (naming file, line and
     *     column), its top level is not an object, or the result violates the options' schema
     * @throws NoSuchFileException when none of the inputs exists
     */
    public MergeResult atomicConfigMerge(List<Path> files, Path output, MergeOptions options) throws IOException {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(options, "options");
        DataFormat format = DataFormat.require(output, "atomicConfigMerge");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("inputs", files.stream().map(Path::toString).collect(Collectors.toList()));
        metadata.put("strategy", options.strategy().name());
        metadata.put("arrays", options.arrays().name());
        MergeResult[] result = new MergeResult[1];
        Audited.call("config_merge", output, metadata, () -> {
            ConfigMerge.Merged merged = ConfigMerge.mergeFiles(files, options.strategy(), options.arrays());
            WriteOptions write = writeOptions.toBuilder()
                    .schema(options.schema().orElse(writeOptions.schema().orElse(null))).build();
            WriteResult written = format == DataFormat.JSON ? AtomicFiles.writeJson(output, merged.document(), write)
                    : AtomicFiles.writeYaml(output, merged.document(), write);
            result[0] = new MergeResult(Codecs.toMap(merged.document()), merged.warnings(), merged.inputs(),
                    merged.skipped(), output, written);
            return written;
        }, recordHere);
        return result[0];
    }

    // ---------------------------------------------------------------- backups

    /** Removes {@code *.backup} files in {@code folder} older than {@code maxAge}. */
    public int cleanupBackups(Path folder, Duration maxAge) throws IOException {
        return cleanupBackups(folder, maxAge, DEFAULT_BACKUP_GLOB);
    }

    /**
     * Removes the files directly in {@code folder} whose names match {@code glob} (such as
     * {@code *.backup}) and that were last modified strictly more than {@code maxAge} ago.
     *
     * @return the number of files removed
     */
    public int cleanupBackups(Path folder, Duration maxAge, String glob) throws IOException {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(glob, "glob");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("cleanupBackups: maxAge must not be negative, got " + maxAge);
        }
        Instant cutoff = Instant.now().minus(maxAge);
        return Audited.call("cleanup_backups", folder, Map.of("maxAge", maxAge.toString(), "glob", glob),
                () -> BackupCleanup.removeOlderThan(folder, glob, cutoff), recordHere);
    }

    // ---------------------------------------------------------------- batches

    /** {@link #batchOperation(String, IOCallable)} for a body without a result. */
    public void batchOperation(String name, IORunnable body) throws IOException {
        Objects.requireNonNull(body, "body");
        batchOperation(name, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} as a named batch: records {@code batch_start_NAME} before it and
     * {@code batch_complete_NAME} after it, or {@code batch_failed_NAME} with the error, which is
     * then rethrown. These records, and those of every operation the body runs on this thread,
     * carry the batch's id. A batch is not a transaction: what the body did stays done; use
     * {@code FileTransaction} for all-or-nothing.
     *
     * @return what {@code body} returned
     */
    public <T> T batchOperation(String name, IOCallable<T> body) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        String batchId = "batch-" + UUID.randomUUID();
        Map<String, Object> metadata = Map.of("batch", name);
        return Audited.inBatch(batchId, () -> {
            long start = System.nanoTime();
            Audited.report(batchEvent("batch_start_" + name, AuditEntry.STARTED, start, null, metadata), recordHere);
            T result;
            try {
                result = body.call();
            } catch (IOException | RuntimeException | Error e) {
                Audited.report(batchEvent("batch_failed_" + name, AuditEntry.FAILED, start, Audited.message(e),
                        metadata), recordHere);
                throw e;
            }
            Audited.report(batchEvent("batch_complete_" + name, AuditEntry.COMPLETED, start, null, metadata),
                    recordHere);
            return result;
        });
    }

    private static Events.Event batchEvent(String operation, String status, long startNanos, String error,
            Map<String, Object> metadata) {
        return new Events.Event(operation, null, status, -1, null, Duration.ofNanos(System.nanoTime() - startNanos),
                error, metadata);
    }

    // ---------------------------------------------------------------- audit

    /** Prints this object's session summary (totals, then operations per file) as a table on standard output. */
    public void displayAuditSummary() throws IOException {
        displayAuditSummary(System.out);
    }

    /** Prints this object's session summary as a table on {@code out}. */
    public void displayAuditSummary(PrintStream out) throws IOException {
        out.print(trail.summary().toTable());
        out.flush();
    }

    /** Records an event in this object's trail, unless that trail is the global one (which records it already). */
    private void recordInTrail(Events.Event event) {
        if (trail.isGlobal()) {
            return;
        }
        try {
            trail.record(event);
        } catch (IOException | RuntimeException e) {
            // A broken audit file must not turn an operation that succeeded into a failure.
            LOG.get().warn("audit record of {} {} failed: {}", event.operation(), event.path(), e.toString());
        }
    }
}
