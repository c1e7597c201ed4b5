package io.atomicfiles.journal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.IOConsumer;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.internal.Backups;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.ContentSink;
import io.atomicfiles.internal.LibraryThreads;
import io.atomicfiles.internal.Parallel;
import io.atomicfiles.internal.Stat;
import io.atomicfiles.internal.TempFileModes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Step 3 of a transaction: everything that writes data happens here, before the commit point,
 * under hidden names only. If any of it fails, the targets were never touched.
 *
 * <p>Staged files are made in two passes over a window of files:
 * <ol>
 *   <li>Write: create each staged file, give it its mode, write its content out (hashed, CRC32C
 *       per chunk), and link its operation's keeps; on as many threads as the machine has cores
 *       ({@link #WRITERS}): this is processor work, and more threads than cores only add
 *       hand-overs and contention on the folder's lock.</li>
 *   <li>Force: {@code fsync} each file, then read it back ({@link ContentSink#finish()}: no byte
 *       is read back before it was forced), then close it; every file of the window at once, on
 *       a thread each, since these calls wait on the disk. Forced after all of the window was
 *       written, the files' shared blocks (their folder's, their inode table's) are written by
 *       the first fsync that needs them and are clean for the others, and on a journaled
 *       filesystem the fsyncs waiting together share a journal commit: 16 at a time, a 100-file
 *       transaction took ~20 journal commits, the whole window at once ~11 (BENCHMARKS.md).</li>
 * </ol>
 * A staged file whose content is larger than {@link #DEFER_UP_TO} bytes is forced and read back
 * in the first pass (its buffers are not kept open meanwhile). The order of the guarantees per
 * file is unchanged: created new, mode given, content written, forced, read back, all before the
 * staging folders' fsync and the commit point.
 */
final class Staging {
    /** How many threads write staged files (the first pass): one per core, at most 8. */
    private static final int WRITERS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    /** How many keeps of operations without a staged file are linked at the same time. */
    private static final int KEEP_LINKERS = 16;
    /** How many staged files are written before they are forced (open channels, held buffers). */
    static final int WINDOW = 128;
    /** Content up to this size waits, open, for the second pass; larger content is forced at once. */
    static final long DEFER_UP_TO = 64 * 1024;

    private final List<Operation> operations;
    private final Durability durability;
    private final ProgressListener progress;
    /** Checked right before each folder, staged file and keep link is made, and each source is read. */
    private final Confinement confinement;
    private final AtomicLong bytesDone = new AtomicLong();
    /**
     * Held while the listener is called: the stages run in parallel, but a listener is promised
     * one call at a time and a running total that only grows.
     */
    private final Object listenerLock = new Object();
    /**
     * False for {@link ProgressListener#none()} (progress off, as in most commits): the staging
     * threads then neither build the messages nor queue for {@link #listenerLock}.
     */
    private final boolean listening;

    private Staging(List<Operation> operations, Durability durability, Confinement confinement,
            ProgressListener progress) {
        this.confinement = confinement;
        this.operations = operations;
        this.durability = durability;
        this.progress = progress;
        this.listening = progress != ProgressListener.none();
    }

    /**
     * Creates the planned folders, writes every staged file and right after it the keep links
     * of its operation, forces and reads back the staged files (the two passes of the class
     * comment), makes the keep links of the operations that stage nothing, then forces the
     * folders that received new names.
     *
     * @return each staged file's size and SHA-256, for the commit record
     */
    static Map<Path, ContentSink.Written> run(List<Step> steps, List<Operation> operations, Durability durability,
            ProgressListener progress) throws IOException {
        return run(steps, StepRunner.foldersOf(steps), operations, durability, Confinement.NONE, progress);
    }

    /**
     * @param folders {@link StepRunner#foldersOf} the steps, which the caller computed once for
     *     every step of the commit that forces them
     */
    static Map<Path, ContentSink.Written> run(List<Step> steps, Collection<Path> folders, List<Operation> operations,
            Durability durability, Confinement confinement, ProgressListener progress) throws IOException {
        return new Staging(operations, durability, confinement, progress).run(steps, folders);
    }

    private Map<Path, ContentSink.Written> run(List<Step> steps, Collection<Path> folders) throws IOException {
        List<Step.Stage> stages = new ArrayList<>();
        Set<Integer> stagedOps = new HashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.MakeFolder) {
                confinement.check(((Step.MakeFolder) step).dir(), "create folder");
                makeFolder(((Step.MakeFolder) step).dir());
            } else if (step instanceof Step.Stage) {
                stages.add((Step.Stage) step);
                stagedOps.add(((Step.Stage) step).op());
            }
        }
        // The keeps of an operation that stages a file are made by the same task, right after its
        // staged file is written (no hand-over of their own); the others (moves within a
        // filesystem, deletes) in a pass of their own.
        Map<Integer, List<Step.Keep>> keepsWithStage = new HashMap<>();
        List<Step.Keep> otherKeeps = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Keep) {
                Step.Keep keep = (Step.Keep) step;
                if (stagedOps.contains(keep.op())) {
                    keepsWithStage.computeIfAbsent(keep.op(), op -> new ArrayList<>()).add(keep);
                } else {
                    otherKeeps.add(keep);
                }
            }
        }
        Map<Path, ContentSink.Written> written = writeAll(stages, keepsWithStage);
        Parallel.forEach(otherKeeps, KEEP_LINKERS, this::keep);
        if (durability.syncsFolder()) {
            StepRunner.syncFolders(folders);
        }
        return written;
    }

    /** A second name for the content a rename will displace: the undo, or the backup. */
    private void keep(Step.Keep keep) throws IOException {
        confinement.check(keep.path(), "link");
        confinement.check(keep.of(), "link");
        Backups.linkOrCopy(keep.of(), keep.path(), durability, "transaction");
    }

    /**
     * The first pass for one staged file: written, then the keeps of its operation linked.
     * Returns it open, to be forced in the second pass, or already forced and closed.
     */
    private Staged stageAndKeep(Step.Stage stage, Map<Integer, List<Step.Keep>> keeps) throws IOException {
        Staged staged = write(stage);
        try {
            for (Step.Keep keep : keeps.getOrDefault(stage.op(), List.of())) {
                keep(keep);
            }
        } catch (IOException | RuntimeException | Error e) {
            staged.abandon();
            throw e;
        }
        return staged;
    }

    private static void makeFolder(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Stat.isDirectory(dir)) {
                throw AtomicWriteException.failed("transaction", dir, "create folder (a file has that name)", e);
            }
        }
    }

    private Map<Path, ContentSink.Written> writeAll(List<Step.Stage> stages, Map<Integer, List<Step.Keep>> keeps)
            throws IOException {
        Map<Path, ContentSink.Written> written = new LinkedHashMap<>();
        for (int from = 0; from < stages.size(); from += WINDOW) {
            List<Step.Stage> window = stages.subList(from, Math.min(stages.size(), from + WINDOW));
            List<Staged> staged = Collections.synchronizedList(new ArrayList<>());
            try {
                // Pass 1: every file of the window written (and its keeps linked); none forced yet.
                inGroups(window, WRITERS, stage -> staged.add(stageAndKeep(stage, keeps)));
            } catch (IOException | RuntimeException | Error e) {
                // Nothing outlives the failure: every file still open is closed (the clean-up
                // deletes them all, as every staged name is in the journal).
                staged.forEach(Staged::abandon);
                throw e;
            }
            // Pass 2: each forced, read back and closed; a failure closes the others all the same.
            Map<Path, ContentSink.Written> forced = new java.util.concurrent.ConcurrentHashMap<>();
            try {
                inGroups(new ArrayList<>(staged), WINDOW, file -> forced.put(file.path(), force(file)));
            } finally {
                staged.forEach(Staged::abandon); // closes those a failure left open; no-op for the others
            }
            for (Step.Stage stage : window) {
                written.put(stage.path(), forced.get(stage.path()));
            }
        }
        return written;
    }

    /**
     * Calls {@code action} on every item, on up to {@code groups} of the library's threads (in
     * this thread when there is one item or one group), and returns when every call has
     * returned, failed or not, so that no staging outlives a failure. Each group stops at its
     * own first failure; the first failure is thrown, the others added to it.
     */
    private static <T> void inGroups(List<T> items, int groups, IOConsumer<T> action) throws IOException {
        if (items.size() <= 1 || groups <= 1) {
            for (T item : items) {
                action.accept(item);
            }
            return;
        }
        int n = Math.min(groups, items.size());
        List<Future<Void>> futures = new ArrayList<>();
        // An interrupt of the caller starts no further call; the calls under way are waited for
        // all the same (returning at once let staging threads open staged files after the
        // window's clean-up, never to be closed).
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        for (int g = 0; g < n; g++) {
            int group = g;
            futures.add(LibraryThreads.background().submit(() -> {
                for (int i = group; i < items.size() && !interrupted.get(); i += n) {
                    action.accept(items.get(i));
                }
                return null;
            }));
        }
        IOException failure = null;
        Error error = null;
        for (Future<Void> future : futures) {
            try {
                Parallel.getUninterruptibly(future, interrupted);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error) {
                    error = error == null ? (Error) e.getCause() : error;
                } else {
                    failure = first(failure, e.getCause());
                }
            }
        }
        if (interrupted.get()) {
            Thread.currentThread().interrupt();
            failure = first(failure, new InterruptedException("interrupted while staging"));
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException first(IOException failure, Throwable cause) {
        if (failure != null) {
            failure.addSuppressed(cause);
            return failure;
        }
        return cause instanceof IOException ? (IOException) cause
                : AtomicWriteException.failed("transaction", null, "stage", cause);
    }

    /**
     * A staged file of the first pass: written and open, waiting to be forced (its sink holds
     * the CRC32C of what was written), or already forced and closed ({@code done} set).
     */
    private static final class Staged {
        private final Step.Stage stage;
        private final String what;
        private final FileChannel channel;
        private final ContentSink sink;
        private ContentSink.Written done;

        Staged(Step.Stage stage, String what, FileChannel channel, ContentSink sink) {
            this.stage = stage;
            this.what = what;
            this.channel = channel;
            this.sink = sink;
        }

        Path path() {
            return stage.path();
        }

        /** Closes the file if it is still open; its content is void (the clean-up deletes it). */
        synchronized void abandon() {
            if (channel.isOpen()) {
                if (done == null) {
                    sink.abandon();
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    // Abandoned: the file is deleted by the clean-up; nothing was published.
                }
            }
        }
    }

    /** The second pass for one staged file: forced, read back, closed. */
    private ContentSink.Written force(Staged staged) throws IOException {
        if (staged.done == null) {
            try (FileChannel channel = staged.channel) {
                staged.done = staged.sink.finish();
            } catch (IOException e) {
                if (e instanceof AtomicWriteException) {
                    throw e;
                }
                throw AtomicWriteException.failed("transaction", staged.stage.target(), "stage " + staged.what, e);
            }
        }
        if (listening) {
            synchronized (listenerLock) {
                progress.progressed(bytesDone.addAndGet(staged.done.size()));
            }
        }
        return staged.done;
    }

    /**
     * One staged file: new ({@code CREATE_NEW}: never a planted link), given its final mode,
     * content streamed, hashed, forced, read back.
     *
     * <p>It is created owner-only (nobody reads or writes unpublished content) or, when that
     * grants nobody anything the published file will not, with the very mode it will be published
     * with ({@link TempFileModes#finalModeAtCreation}, the rule single writes use): then it needs
     * no {@code open}, {@code fchmod} and {@code close} to get its mode, only the stat that also
     * refuses a link swapped in for it.
     */
    private Staged write(Step.Stage stage) throws IOException {
        Operation operation = operations.get(stage.op());
        if (listening) {
            synchronized (listenerLock) {
                progress.note("stage " + (stage.op() + 1) + " of " + operations.size() + ": " + operation.describe());
            }
        }
        confinement.check(stage.path(), "stage " + operation.describe());
        FileChannel channel = null;
        ContentSink sink = null;
        try {
            StagedMode mode = StagedMode.of(stage);
            channel = FileChannel.open(stage.path(), EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE), mode.creationAttribute(stage.path()));
            mode.give(stage.path());
            sink = new ContentSink(channel, "transaction", stage.target(), durability.syncsFile(), true,
                    ProgressListener.none());
            if (stage.source() == null) {
                sink.write(((Operation.Write) operation).content());
            } else {
                try (InputStream in = confinement.newInputStream(stage.source())) {
                    in.transferTo(sink);
                }
            }
            Staged staged = new Staged(stage, operation.describe(), channel, sink);
            if (sink.size() <= DEFER_UP_TO) {
                sink.writeOut(); // forced and read back in the second pass
            } else {
                try (FileChannel open = channel) {
                    staged.done = sink.finish(); // large: forced and read back now, its buffers let go
                }
            }
            return staged;
        } catch (IOException | RuntimeException | Error e) {
            if (sink != null) {
                sink.abandon();
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            if (e instanceof IOException && !(e instanceof AtomicWriteException)) {
                throw AtomicWriteException.failed("transaction", stage.target(), "stage " + operation.describe(), e);
            }
            throw e;
        }
    }
}
