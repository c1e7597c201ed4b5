package io.atomicfiles;

import io.atomicfiles.internal.Backups;
import io.atomicfiles.internal.FolderForces;
import io.atomicfiles.internal.Parallel;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.Targets;
import io.atomicfiles.internal.WriteProtocol;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

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
 * published), except that the folder is not forced after each rename:
 * <ol>
 *   <li>Every file on one of the library's threads, many side by side: take its lock, create its
 *       temp file beside it, write, force and verify the content, keep the backup, rename the temp
 *       file over the target, release the lock. The fsyncs of many files wait together and share
 *       the filesystem's journal commits; forcing and publishing (backup and rename) take turns,
 *       and one thread at a time publishes every file forced so far, so renames never wait for a
 *       journal commit under way. Each thread holds one file's lock at a time, so batches
 *       and single writes over the same files never deadlock.</li>
 *   <li>Force each distinct folder once, after all its renames, so every rename survives a power
 *       loss.</li>
 * </ol>
 * When {@code commit()} returns, every file is atomic and durable, exactly as after a single
 * write. There is <b>no all-or-nothing across files</b> (that is {@link FileTransaction}): each
 * file is published or not on its own, and after a crash each file holds its old or its new
 * content. A file that fails does not stop the others; {@code commit()} then throws a
 * {@link WriteBatchException} saying which files were published and which were not, and no temp
 * file is left behind.
 *
 * <p>Not thread-safe: one thread adds and commits.
 */
public final class WriteBatch implements AutoCloseable {
    /**
     * Files in progress at once, each on its own thread. What this buys is fsyncs in flight: an
     * fsync waits on the journal, not the CPU, and fsyncs waiting together share one journal
     * commit, so the number is sized to the journal, not to the cores. Measured on the 2-core
     * test machine's journaled ext4 (1000 files of 1 KiB, variants in turns in one warm JVM,
     * loaded machine), with forcing and publishing taking turns ({@link WriteBatchPublisher}):
     * 128 took 271 and 314 ms where 64 took 293 and 474 ms; 256 was no better than 128 (212 and
     * 212 ms). (With fsyncs and renames interleaved, the protocol before, 64 had measured best:
     * 128 and 256 cost more CPU for no gain.) See BENCHMARKS.md, "WriteBatch (branch batch2)".
     */
    static final int PARALLELISM = 128;

    private final WriteOptions options;
    /** By absolute path: the order of the results. */
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
     *     file in the batch (with backups on). (A path that reaches a file of the batch, or its
     *     backup, through a link is found at {@link #commit()}: that file is written once, and
     *     the other path fails there.)
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
     * <p>An interrupt of the calling thread begins no further file; the files under way are
     * finished, and every file published is forced (step 4) all the same; the interrupt is kept.
     * An {@link Error} in one file (a listener's assertion, an {@code OutOfMemoryError}) begins no
     * further file either; the files published are forced, and the {@code Error} is thrown with
     * the {@link WriteBatchException} report, if some file failed, as a suppressed exception.
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
        WriteResult[] results = new WriteResult[all.size()];
        IOException[] errors = new IOException[all.size()];
        // Files whose lock the caller holds already (a batch committed from inside an update's
        // function, say) are written on the caller's thread, which takes the lock again, as a
        // single write would; on one of the library's threads they would wait for the caller
        // until the lock timeout, and fail.
        List<Integer> onCaller = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        boolean callerHoldsLocks = PathLocks.currentThreadHoldsAny();
        for (int i = 0; i < all.size(); i++) {
            boolean held = callerHoldsLocks && callerHoldsLockOf(all.get(i).requested());
            (held ? onCaller : indices).add(i);
        }
        Thread caller = Thread.currentThread();
        // An Error in one file (an assertion in a listener, an OutOfMemoryError) begins no further
        // file; the files published still get step 4 and the report, and commit() throws it last.
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        // Steps 1 to 3, each file on one of the library's threads from its lock to its rename.
        WriteBatchPublisher publisher = new WriteBatchPublisher(e -> fatal.compareAndSet(null, e));
        // The real files (and backups) claimed by the batch's files so far: one file named twice
        // (through a link and by its name, which addWrite cannot tell) is written once, not twice
        // (two results for one file, and the second backup holding the first write's content).
        Map<Path, Path> claimed = new HashMap<>();
        boolean interrupted = false;
        IOConsumer<Integer> writeOne = i -> {
            // A small batch runs on the caller's thread (Parallel): there its interrupt begins no
            // further file, as it does on the library's threads.
            if (fatal.get() != null || (Thread.currentThread() == caller && caller.isInterrupted())) {
                return;
            }
            try {
                results[i] = write(all.get(i), publisher, claimed);
            } catch (IOException | RuntimeException e) {
                // This file alone: its temp file is gone, its target as it was.
                errors[i] = asIOException(e);
            } catch (Error e) {
                // Its temp file is gone and its lock let go too (the write's close); the Error
                // itself is thrown by commit(), so the report names it without holding it.
                fatal.compareAndSet(null, e);
                errors[i] = new IOException("write " + all.get(i).requested() + " failed: " + e
                        + " (thrown by commit()); the file is as it was");
            }
        };
        try {
            for (int i : onCaller) {
                writeOne.accept(i);
            }
            Parallel.forEach(indices, PARALLELISM, writeOne);
        } catch (InterruptedIOException e) {
            // An interrupt starts no further file, and the files under way were finished
            // (Parallel.forEach): those published still get step 4, and the files never begun
            // are reported as not written.
            interrupted = true;
        }
        // The interrupt is kept for the caller, but put aside during step 4: an interrupted
        // thread's fsync would fail (FileChannel is interruptible), in a small batch the caller's
        // own (an interrupt that came after some file's rename, which no Parallel call saw).
        interrupted |= Thread.interrupted();
        Map<Path, IOException> failures = new LinkedHashMap<>();
        Set<Path> namedTwice = new LinkedHashSet<>();
        List<WriteResult> published = new ArrayList<>();
        Map<Path, List<WriteResult>> byFolder = new LinkedHashMap<>();
        Set<Path> publishedRequests = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            if (results[i] != null) {
                publishedRequests.add(all.get(i).requested());
            }
        }
        for (int i = 0; i < all.size(); i++) {
            Path requested = all.get(i).requested();
            if (errors[i] != null) {
                failures.put(requested, errors[i]);
                if (errors[i] instanceof SameFile && ((SameFile) errors[i]).sameTarget
                        && publishedRequests.contains(((SameFile) errors[i]).other)) {
                    // Not "as it was": the other name's content is in it.
                    namedTwice.add(requested);
                }
            } else if (results[i] == null) {
                failures.put(requested, notBegun(requested, fatal.get()));
            } else {
                published.add(results[i]);
                byFolder.computeIfAbsent(results[i].target().getParent(), f -> new ArrayList<>()).add(results[i]);
            }
        }
        // Step 4: each folder forced once, after all its renames; until then none of them survives a power loss.
        Set<Path> notDurable = new LinkedHashSet<>();
        if (options.durability().syncsFolder()) {
            Map<Path, IOException> folderFailures = new ConcurrentHashMap<>();
            interrupted |= FolderForces.forceEach(new ArrayList<>(byFolder.keySet()), PARALLELISM, folderFailures, caller);
            for (Map.Entry<Path, List<WriteResult>> folder : byFolder.entrySet()) {
                IOException failure = folderFailures.get(folder.getKey());
                if (failure != null) {
                    for (WriteResult r : folder.getValue()) {
                        notDurable.add(r.target());
                        failures.put(r.target(), failure);
                    }
                }
            }
        }
        if (interrupted) {
            caller.interrupt();
        }
        WriteBatchException report = failures.isEmpty() ? null
                : new WriteBatchException(published, notDurable, failures, namedTwice);
        Throwable error = fatal.get();
        if (error != null) {
            if (report != null) {
                error.addSuppressed(report);
            }
            throw WriteBatch.<RuntimeException>rethrow(error);
        }
        if (report != null) {
            throw report;
        }
        return Collections.unmodifiableList(published);
    }

    /**
     * Whether this thread holds the lock of the file {@code requested} names: of its real target,
     * a link followed as the write will follow it (WriteOpening locks that). A name that does not
     * resolve is not held; its write reports why.
     */
    private boolean callerHoldsLockOf(Path requested) {
        try {
            return PathLocks.isHeldByCurrentThread(Targets.resolveFile(requested, options.followSymlinks(), "write"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Why a file was never begun: an Error in another file, or an interrupt of the commit. */
    private static IOException notBegun(Path requested, Throwable fatal) {
        String why = fatal != null ? "another file of the batch failed with " + fatal + " (thrown by commit())"
                : "the commit was interrupted before it began";
        return new InterruptedIOException("batch: " + requested + " was not written: " + why + "; the file is as it was");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable error) throws T {
        throw (T) error;
    }

    /**
     * Steps 1 to 3 of one file, on the calling thread from its lock to its rename; whatever
     * happens, no lock is held and no temp file is left when this returns.
     */
    private WriteResult write(Entry entry, WriteBatchPublisher publisher, Map<Path, Path> claimed) throws IOException {
        // Step 1: lock, look at the target, temp file beside it, content.
        try (WriteProtocol write = WriteProtocol.begin(entry.requested(), options, "write", entry.bytes().length, null,
                true)) {
            claim(claimed, write.target(), entry.requested());
            write.content().write(entry.bytes());
            // Step 2: forced and verified, with every other file forcing at the time.
            publisher.stage(write);
            // Step 3: backup and rename, by whichever thread publishes now. The lock is let go by
            // this thread, which took it (the JVM lock is that thread's), when the write closes.
            return publisher.publish(write);
        }
    }

    /**
     * Claims {@code target} (real, locked) and, with backups on, its backup for the file named
     * {@code requested}; fails when another file of the batch claimed either already (under the
     * target's lock, so before anything of this file is published).
     */
    private void claim(Map<Path, Path> claimed, Path target, Path requested) throws IOException {
        Path backup = options.backup() ? Backups.backupOf(target) : null;
        synchronized (claimed) {
            Path other = claimed.get(target);
            if (other != null) {
                throw new SameFile(requested, other, target, true);
            }
            other = backup == null ? null : claimed.get(backup);
            if (other != null) {
                // Its backup is another file's (or that file's backup): this file is not touched.
                throw new SameFile(requested, other, target, false);
            }
            claimed.put(target, requested);
            if (backup != null) {
                claimed.put(backup, requested);
            }
        }
    }

    /**
     * A file of the batch that is the same file as another file of it (or as its backup), through
     * a link, or whose backup is another file of it: written once, by {@link #other}'s entry. When
     * it is that file itself ({@link #sameTarget}) and that one was published, it holds the
     * other's content: not "as it was" ({@link WriteBatchException#namedTwice()}); when only its
     * backup is, it was not touched.
     */
    private static final class SameFile extends AtomicWriteException {
        private static final long serialVersionUID = 1L;
        private final transient Path other;
        private final boolean sameTarget;

        SameFile(Path requested, Path other, Path target, boolean sameTarget) {
            super(sameTarget
                    ? "write " + requested + " failed: it is the same file as " + other + " (or its backup) in this"
                            + " batch, through a link (" + target + "); written once, by " + other
                    : "write " + requested + " failed: its backup is the same file as " + other + " (or its backup)"
                            + " in this batch, through a link; " + requested + " is not written", null,
                    Map.of("operation", "write", "path", requested.toString()));
            this.other = other;
            this.sameTarget = sameTarget;
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
