package io.atomicfiles;

import io.atomicfiles.internal.Log;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.ConfigMerge;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import io.atomicfiles.internal.Audited;
import io.atomicfiles.internal.BackupCleanup;
import io.atomicfiles.internal.CombinedUpdates;
import io.atomicfiles.internal.Documents;
import io.atomicfiles.internal.Events;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.Retries;
import io.atomicfiles.internal.Targets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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

    /** Updates queued on one file in this JVM, combined into one write per group (issue 11, W4). */
    private static final CombinedUpdates<UpdateKey> COMBINED = new CombinedUpdates<>();

    /** Updates are combined only when they would be written alike. */
    private record UpdateKey(Path target, DataFormat format, boolean createIfMissing, WriteOptions options) {
        /**
         * Whether updates with these options may share a write. Not a compare-and-swap
         * ({@code expectedChecksum}): one by one, only the first update of a group could match
         * the checksum, and combined they would all pass one check. Not {@code createNew}: one by
         * one, only the first update of a missing file could create it.
         */
        boolean combinable() {
            return options.expectedChecksum().isEmpty() && !options.createNew();
        }
    }

    private Map<String, Object> update(String operation, DataFormat format, Path path,
            UnaryOperator<Map<String, Object>> update, boolean createIfMissing, Object schema) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(update, "update");
        WriteOptions withSchema = writeOptions.toBuilder()
                .schema(schema != null ? schema : writeOptions.schema().orElse(null)).build();
        AtomicReference<Map<String, Object>> written = new AtomicReference<>();
        Audited.call(operation, path, Map.of(), () -> {
            Path target = Targets.resolveFile(path, withSchema.followSymlinks(), operation);
            UpdateKey key = new UpdateKey(target, format, createIfMissing, withSchema);
            CombinedUpdates.GroupRunner runner = group -> writeGroup(operation, path, key, group);
            // From inside another update's function that holds this file's lock (other options,
            // so another queue), waiting in a queue whose leader waits for that lock would stall
            // both until the lock timeout; one by one the lock is taken again (it is reentrant).
            boolean lockHeld = PathLocks.currentThreadHoldsAny() && PathLocks.isHeldByCurrentThread(target);
            CombinedUpdates.Served served = !key.combinable() || lockHeld
                    ? COMBINED.alone(update, runner)
                    : COMBINED.submit(key, update, runner, target, withSchema.lockTimeout());
            written.set(served.document());
            return served.write();
        }, recordHere);
        return written.get();
    }

    /**
     * One combined read-modify-write: holding the file's lock (in this JVM and across processes)
     * from the read to the write, reads the file once, applies every queued function in arrival
     * order, and writes the last document once. Each function gets its own copy of the document
     * so far as the file would give it back: the previous document is serialised, as it would be
     * written, and parsed again, so that a function sees the types one by one would show it (an
     * {@code Integer} where the previous function put a {@code Long}, a {@code Double} for a
     * {@code float}, a string for a {@code byte[]}). A function that throws, returns null, returns
     * a document that cannot be serialised or whose form as written violates the schema, changes
     * nothing and fails its own caller alone, wherever it is in the group (the last one's
     * document used to be serialised only by the group's write, whose failure failed them all).
     * The bytes written are the last good document's. Callers are told their documents only
     * after the write returned, so each returns only when its change is durable. The retry
     * policy applies to the whole group; the inner write makes one attempt.
     */
    private WriteResult writeGroup(String operation, Path path, UpdateKey key, List<CombinedUpdates.Request> group)
            throws IOException {
        Path target = key.target();
        Object schema = key.options().schema().orElse(null);
        // Each document is validated below in the very form written; the write need not parse it again.
        WriteOptions once = key.options().toBuilder().retryPolicy(RetryPolicy.none()).schema(null).build();
        return Retries.call(key.options().retryPolicy(), operation, path, () -> {
            if (!key.createIfMissing()) {
                requireExists(target, path, operation);
            }
            Targets.createParents(target, once.durability().syncsFolder(), operation);
            PathLocks.Held lock = PathLocks.acquire(target, once.lockTimeout());
            try {
                if (!key.createIfMissing()) {
                    requireExists(target, path, operation);
                }
                Map<String, Object> state = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                        ? Codecs.readMap(target, key.format()) : new LinkedHashMap<>();
                List<CombinedUpdates.Request> applied = new ArrayList<>();
                List<Map<String, Object>> produced = new ArrayList<>();
                // The last good document as written, and its tree once parsed (lazily: a lone
                // update, or the last of a group, is never parsed again without a schema).
                byte[] content = null;
                JsonNode contentTree = null;
                for (CombinedUpdates.Request request : group) {
                    if (request.isDone()) {
                        continue;
                    }
                    try {
                        // What it would get one by one: the file's document, or the previous
                        // document as the file gives it back (maps, lists and scalars only, of the
                        // types parsing makes), not the objects that function put in (a set, a
                        // record, an array, a Long), which a later function could change after
                        // that caller's document is made, or see in another shape. Its own copy.
                        Map<String, Object> input;
                        if (content == null) {
                            input = Documents.deepCopy(state);
                        } else {
                            contentTree = contentTree != null ? contentTree : asWritten(content, key.format(), target);
                            input = Codecs.toMap((ObjectNode) contentTree);
                        }
                        Map<String, Object> next = request.function().apply(input);
                        if (next == null) {
                            throw new IllegalStateException(operation + " " + path
                                    + ": the update function returned null; return the map to write");
                        }
                        byte[] bytes = serialise(key.format(), next);
                        JsonNode tree = null;
                        if (schema != null) {
                            tree = asWritten(bytes, key.format(), target);
                            Schemas.validate(schema, tree, target);
                        }
                        content = bytes;
                        contentTree = tree;
                        applied.add(request);
                        produced.add(next);
                    } catch (Throwable e) {
                        // This caller's change alone is void; the others go on. Whatever the
                        // function threw, as one by one: an Error (an assert, a stack overflow in
                        // the function) or a checked exception thrown sneakily must not fail the
                        // other callers of the group (it used to escape the group and fail them all).
                        request.failed(e);
                    }
                }
                if (applied.isEmpty()) {
                    return null;
                }
                // The write takes the same lock again (it is reentrant): nobody gets in between.
                WriteResult result = AtomicFiles.writeBytes(target, content, once);
                for (int i = 0; i < applied.size(); i++) {
                    applied.get(i).succeeded(produced.get(i), result);
                }
                return result;
            } finally {
                lock.close();
            }
        });
    }

    /** {@code document} as {@link AtomicFiles#writeJson} (indented by 2) or {@link AtomicFiles#writeYaml} writes it. */
    private static byte[] serialise(DataFormat format, Map<String, Object> document) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        Codecs.write(format, document, out);
        return out.toByteArray();
    }

    /** {@code bytes} (a document as {@link #serialise} wrote it) parsed as the file would be; its top level an object. */
    private static JsonNode asWritten(byte[] bytes, DataFormat format, Path target) throws IOException {
        JsonNode tree = Codecs.read(bytes, format, target);
        if (!tree.isObject()) {
            throw new ValidationException(target, "the update's document is written as " + tree.getNodeType()
                    + ", expected an object", null);
        }
        return tree;
    }

    private static void requireExists(Path target, Path requested, String operation) throws NoSuchFileException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(requested.toString(), null,
                    operation + ": the file does not exist (createIfMissing is false)");
        }
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
