package io.atomicfiles;

import io.atomicfiles.internal.Fsync;
import io.atomicfiles.internal.Parallel;
import io.atomicfiles.internal.WriteProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Group commit: many independent files, each written atomically and durably, for the cost of
 * far fewer fsync rounds than one write after the other. Made by {@link AtomicFiles#batch()}.
 *
 * <pre>{@code
 * try (WriteBatch batch = AtomicFiles.batch()) {
 *     for (Item item : items) {
 *         batch.addWrite(dir.resolve(item.name() + ".json"), item, ContentType.JSON);
 *     }
 *     List<WriteResult> results = batch.commit();
 * }
 * }</pre>
 *
 * <p>{@link #commit()} runs the single-file protocol ({@link AtomicFiles#writeBytes}) for every
 * file, with its guarantees (each file's lock, mode, owner and group kept, backups when asked,
 * links followed only as that protocol allows, content forced and verified before it is
 * published), in an order that lets the slow parts overlap:
 * <ol>
 *   <li>Take every file's lock and create its temp file beside it, in the order of the files'
 *       paths (so that two batches over the same files cannot deadlock each other).</li>
 *   <li>Write, force and verify every temp file, on several threads at once: the fsyncs wait
 *       together and share the filesystem's journal commits.</li>
 *   <li>Keep each backup and rename each temp file over its target, one file after the other;
 *       each file's lock is released right after its rename.</li>
 *   <li>Force each distinct folder once, so every rename survives a power loss.</li>
 * </ol>
 * When {@code commit()} returns, every file is atomic and durable, exactly as after a single
 * write. There is <b>no all-or-nothing across files</b> (that is {@link FileTransaction}): each
 * file is published or not on its own, and after a crash each file holds its old or its new
 * content. A file that fails does not stop the others; {@code commit()} then throws a
 * {@link WriteBatchException} saying which files were published and which were not, and no temp
 * file is left behind.
 *
 * <p>Not thread-safe: one thread adds and commits. Other writers of the files wait while the
 * batch holds their locks (from step 1 to each file's rename).
 */
public final class WriteBatch implements AutoCloseable {
    /**
     * Threads forcing temp files at once. An fsync waits on the disk, not the CPU, and fsyncs
     * waiting together share the filesystem's journal commits (a journaled ext4 commits all of
     * them at once), so this is many per core: 16 per core, at least 16, at most 64.
     */
    static final int PARALLELISM = Math.min(64, Math.max(16, 16 * Runtime.getRuntime().availableProcessors()));

    private final WriteOptions options;
    /** By absolute path: the order locks are taken in. */
    private final TreeMap<Path, Entry> entries = new TreeMap<>();
    private boolean done;

    private record Entry(Path requested, byte[] bytes) {
    }

    WriteBatch(WriteOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** {@link #addWrite(Path, Object, ContentType, Object)} without a schema. */
    public WriteBatch addWrite(Path path, Object content, ContentType type) throws IOException {
        return addWrite(path, content, type, null);
    }

    /**
     * Adds writing {@code content} to {@code path}, as {@link FileTransaction#addWrite} does:
     * JSON and YAML take any Jackson-serialisable value, TEXT a {@link CharSequence} (UTF-8),
     * BYTES a {@code byte[]}. The content is serialised (and, given a schema, validated) now.
     *
     * @throws ValidationException when the content violates {@code schema}; the batch is unchanged
     * @throws IllegalArgumentException when the path is already in the batch, or is the backup of a
     *     file in the batch (with backups on)
     */
    public WriteBatch addWrite(Path path, Object content, ContentType type, Object schema) throws IOException {
        requireOpen();
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Path key = path.toAbsolutePath().normalize();
        byte[] bytes = FileTransaction.serialise(key, content, type, schema);
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException("batch: " + path + " is already in this batch");
        }
        if (options.backup()) {
            Path backupOfNew = key.resolveSibling(key.getFileName() + ".backup");
            String name = key.getFileName().toString();
            Path backedUp = name.endsWith(".backup")
                    ? key.resolveSibling(name.substring(0, name.length() - ".backup".length())) : null;
            if (entries.containsKey(backupOfNew) || (backedUp != null && entries.containsKey(backedUp))) {
                throw new IllegalArgumentException("batch: " + path + " and its backup (or the file it backs up) cannot"
                        + " both be written in one batch with backups on");
            }
        }
        entries.put(key, new Entry(path, bytes));
        return this;
    }

    /** The number of files added. */
    public int size() {
        return entries.size();
    }

    /**
     * Writes every file (steps in the class comment). On return each file is published and
     * durable.
     *
     * @return one result per file, in the order of their paths
     * @throws WriteBatchException when some file could not be written: it lists the files
     *     published (each atomic; durable unless its folder's fsync failed, which it names) and the
     *     files left as they were, each with its error
     */
    public List<WriteResult> commit() throws IOException {
        requireOpen();
        done = true;
        List<Entry> all = new ArrayList<>(entries.values());
        WriteProtocol[] writes = new WriteProtocol[all.size()];
        Map<Path, IOException> failures = new LinkedHashMap<>();
        List<WriteResult> published = new ArrayList<>();
        try {
            // Step 1: locks and temp files, in path order; the content goes into each temp file's buffer.
            for (int i = 0; i < all.size(); i++) {
                Entry entry = all.get(i);
                try {
                    writes[i] = WriteProtocol.begin(entry.requested(), options, "write", entry.bytes().length);
                    writes[i].content().write(entry.bytes());
                } catch (IOException | RuntimeException e) {
                    failures.put(entry.requested(), asIOException(e));
                    if (writes[i] != null) {
                        writes[i].close();
                        writes[i] = null;
                    }
                }
            }
            // Step 2: content written, forced and verified, side by side; each failure stays its file's.
            List<Integer> begun = new ArrayList<>();
            for (int i = 0; i < writes.length; i++) {
                if (writes[i] != null) {
                    begun.add(i);
                }
            }
            IOException[] stageFailures = new IOException[writes.length];
            Parallel.forEach(begun, PARALLELISM, i -> {
                try {
                    writes[i].stageForBatch();
                } catch (IOException | RuntimeException e) {
                    stageFailures[i] = asIOException(e);
                }
            });
            // Step 3: backups and renames, one by one; each lock released after its rename.
            Map<Path, List<WriteResult>> byFolder = new LinkedHashMap<>();
            for (int i : begun) {
                if (stageFailures[i] != null) {
                    failures.put(all.get(i).requested(), stageFailures[i]);
                    continue;
                }
                try {
                    WriteResult result = writes[i].publishForBatch();
                    published.add(result);
                    byFolder.computeIfAbsent(result.target().getParent(), f -> new ArrayList<>()).add(result);
                } catch (IOException | RuntimeException e) {
                    // Not renamed: the temp file is gone, the target as it was.
                    failures.put(all.get(i).requested(), asIOException(e));
                }
            }
            // Step 4: each folder forced once; until then no rename of it survives a power loss.
            Set<Path> notDurable = new LinkedHashSet<>();
            if (options.durability().syncsFolder()) {
                List<Path> folders = new ArrayList<>(byFolder.keySet());
                Map<Path, IOException> folderFailures = Collections.synchronizedMap(new LinkedHashMap<>());
                Parallel.forEach(folders, PARALLELISM, folder -> {
                    try {
                        Fsync.folder(folder, "write", folder);
                    } catch (IOException e) {
                        folderFailures.put(folder, e);
                    }
                });
                for (Map.Entry<Path, IOException> f : folderFailures.entrySet()) {
                    for (WriteResult r : byFolder.get(f.getKey())) {
                        notDurable.add(r.target());
                        failures.put(r.target(), f.getValue());
                    }
                }
            }
            if (!failures.isEmpty()) {
                throw new WriteBatchException(published, notDurable, failures);
            }
            return Collections.unmodifiableList(published);
        } finally {
            // Whatever happened: no write left open, no lock held, no temp file left.
            for (WriteProtocol write : writes) {
                if (write != null) {
                    write.close();
                }
            }
        }
    }

    /** Discards a batch that was not committed: nothing was written, nothing is left. */
    @Override
    public void close() {
        done = true;
    }

    private void requireOpen() {
        if (done) {
            throw new IllegalStateException("this batch is already committed or closed");
        }
    }

    private static IOException asIOException(Exception e) {
        return e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
    }
}
