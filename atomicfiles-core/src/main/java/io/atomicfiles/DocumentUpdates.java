package io.atomicfiles;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.format.Schemas;
import io.atomicfiles.internal.CombinedUpdates;
import io.atomicfiles.internal.Documents;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.Retries;
import io.atomicfiles.internal.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The read-modify-write of {@link AtomicFileOperations#atomicJsonUpdate} and
 * {@link AtomicFileOperations#atomicYamlUpdate}: updates of one file queued by threads of this JVM
 * are combined into one write ({@link CombinedUpdates}, issue 11, W4), with the outcome of the same
 * updates made one by one.
 */
final class DocumentUpdates {
    private DocumentUpdates() {
    }

    /** Updates queued on one file in this JVM, combined into one write per group (issue 11, W4). */
    private static final CombinedUpdates<Key> COMBINED = new CombinedUpdates<>();

    /** Updates are combined only when they would be written alike. */
    private record Key(Path target, DataFormat format, boolean createIfMissing, WriteOptions options) {
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

    /**
     * Applies {@code update} to the document of {@code path} and writes it, combined with the
     * updates of the same file queued meanwhile by other threads (with the same format,
     * {@code createIfMissing} and options), or alone where combining would change the outcome.
     */
    static CombinedUpdates.Served run(String operation, DataFormat format, Path path,
            UnaryOperator<Map<String, Object>> update, boolean createIfMissing, WriteOptions options)
            throws IOException {
        Path target = Targets.resolveFile(path, options.followSymlinks(), operation);
        Key key = new Key(target, format, createIfMissing, options);
        CombinedUpdates.GroupRunner runner = group -> writeGroup(operation, path, key, group);
        // A caller that holds some file's lock (from inside another update's function) is run
        // alone by submit itself.
        return !key.combinable()
                ? COMBINED.alone(update, runner)
                : COMBINED.submit(key, update, runner, target, options.lockTimeout());
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
    private static WriteResult writeGroup(String operation, Path path, Key key, List<CombinedUpdates.Request> group)
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
}
