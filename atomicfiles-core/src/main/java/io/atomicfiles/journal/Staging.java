package io.atomicfiles.journal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.internal.Backups;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.ContentSink;
import io.atomicfiles.internal.FileModes;
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
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
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
 * <p>Staged files are written in parallel: their fsyncs are the floor of a transaction's cost,
 * and concurrent fsyncs on one filesystem share its journal commits.
 */
final class Staging {
    /** How many staged files are written (and forced) at the same time. */
    private static final int PARALLELISM = 16;

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
     * Creates the planned folders, writes every staged file (forced and read back) and right
     * after it the keep links of its operation, makes the keep links of the operations that stage
     * nothing, then forces the folders that received new names.
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
        // staged file (one pass per file, one hand-over to the threads instead of two); the others
        // (moves within a filesystem, deletes) in a pass of their own.
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
        Parallel.forEach(otherKeeps, PARALLELISM, this::keep);
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

    /** One staged file, then the keeps of its operation. */
    private ContentSink.Written stageAndKeep(Step.Stage stage, Map<Integer, List<Step.Keep>> keeps)
            throws IOException {
        ContentSink.Written result = write(stage);
        for (Step.Keep keep : keeps.getOrDefault(stage.op(), List.of())) {
            keep(keep);
        }
        return result;
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
        if (stages.size() <= 1) {
            for (Step.Stage stage : stages) {
                written.put(stage.path(), stageAndKeep(stage, keeps));
            }
            return written;
        }
        int groups = Math.min(PARALLELISM, stages.size());
        List<Future<Map<Path, ContentSink.Written>>> futures = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int group = g;
            futures.add(LibraryThreads.background().submit(() -> {
                Map<Path, ContentSink.Written> mine = new LinkedHashMap<>();
                for (int i = group; i < stages.size(); i += groups) {
                    mine.put(stages.get(i).path(), stageAndKeep(stages.get(i), keeps));
                }
                return mine;
            }));
        }
        // Wait for every group, failed or not, so no staging outlives this method.
        IOException failure = null;
        Error error = null;
        for (Future<Map<Path, ContentSink.Written>> future : futures) {
            try {
                written.putAll(future.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error) {
                    error = error == null ? (Error) e.getCause() : error;
                } else {
                    failure = first(failure, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = first(failure, e);
            }
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
        return written;
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
     * One staged file: new ({@code CREATE_NEW}: never a planted link), given its final mode,
     * content streamed, hashed, forced, read back.
     *
     * <p>It is created owner-only (nobody reads or writes unpublished content) or, when that
     * grants nobody anything the published file will not, with the very mode it will be published
     * with ({@link TempFileModes#finalModeAtCreation}, the rule single writes use): then it needs
     * no {@code open}, {@code fchmod} and {@code close} to get its mode, only the stat that also
     * refuses a link swapped in for it.
     */
    private ContentSink.Written write(Step.Stage stage) throws IOException {
        Operation operation = operations.get(stage.op());
        if (listening) {
            synchronized (listenerLock) {
                progress.note("stage " + (stage.op() + 1) + " of " + operations.size() + ": " + operation.describe());
            }
        }
        confinement.check(stage.path(), "stage " + operation.describe());
        try {
            FinalMode mode = finalMode(stage);
            try (FileChannel channel = FileChannel.open(stage.path(), EnumSet.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE), mode.creationAttribute(stage.path()))) {
                mode.give(stage.path());
                ContentSink sink = new ContentSink(channel, "transaction", stage.target(), durability.syncsFile(),
                        true, ProgressListener.none());
                if (stage.source() == null) {
                    sink.write(((Operation.Write) operation).content());
                } else {
                    try (InputStream in = confinement.newInputStream(stage.source())) {
                        in.transferTo(sink);
                    }
                }
                ContentSink.Written result = sink.finish();
                if (listening) {
                    synchronized (listenerLock) {
                        progress.progressed(bytesDone.addAndGet(result.size()));
                    }
                }
                return result;
            }
        } catch (IOException e) {
            if (e instanceof AtomicWriteException) {
                throw e;
            }
            throw AtomicWriteException.failed("transaction", stage.target(), "stage " + operation.describe(), e);
        }
    }

    /**
     * The mode, owner and group of the file replaced; else the source's permissions (copy, move);
     * else the umask's. Read before the staged file is created, so that it can be created with
     * that mode when {@link TempFileModes#finalModeAtCreation} allows.
     */
    private static FinalMode finalMode(Step.Stage stage) throws IOException {
        if (!FileModes.supportsPosix(stage.path())) {
            return FinalMode.NONE;
        }
        FileModes.Kept replaced = FileModes.read(stage.target());
        Set<PosixFilePermission> permissions = replaced != null ? replaced.permissions()
                : stage.source() != null ? Files.getPosixFilePermissions(stage.source())
                : FileModes.defaultFileMode(stage.path());
        return new FinalMode(replaced, permissions,
                TempFileModes.finalModeAtCreation(stage.path().getParent(), permissions));
    }

    /**
     * What a staged file is to be given before its content is forced.
     *
     * @param replaced the file replaced's mode, owner and group, or null (a new target)
     * @param permissions the permissions to publish with
     * @param createdWith {@code permissions} when the staged file may be created with them, else null
     */
    private record FinalMode(FileModes.Kept replaced, Set<PosixFilePermission> permissions,
            Set<PosixFilePermission> createdWith) {
        /** No POSIX modes on this filesystem: created as the provider creates files, nothing given. */
        static final FinalMode NONE = new FinalMode(null, null, null);

        FileAttribute<?>[] creationAttribute(Path staged) {
            if (permissions == null) {
                return new FileAttribute<?>[0];
            }
            return createdWith != null ? TempFileModes.fileAttribute(createdWith)
                    : FileModes.ownerOnlyFileAttribute(staged.getParent());
        }

        /**
         * Gives the staged file its final mode (before the fsync, which then covers it). Each way
         * refuses a link swapped in for the staged file by someone who may rename entries of its
         * folder: {@link FileModes#copy} and {@link TempFileModes#requireRegularFile} by a stat
         * that does not follow it, {@link FileModes#setPermissions} by {@code open(O_NOFOLLOW)}.
         */
        void give(Path staged) throws IOException {
            if (permissions == null) {
                return;
            }
            if (replaced != null) {
                // Group and owner first, then the permissions (narrowed where those could not be
                // kept); no chmod when the stat in copy shows the mode it was created with.
                FileModes.copy(replaced, staged);
            } else if (createdWith == null || !TempFileModes.requireRegularFile(staged).equals(permissions)) {
                // Owner-only so far, or a default ACL of the folder (not the umask) decided the
                // mode at creation: the chmod gives the mode all the same.
                FileModes.setPermissions(staged, permissions);
            }
        }
    }
}
