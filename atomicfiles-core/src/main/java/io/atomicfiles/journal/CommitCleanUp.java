package io.atomicfiles.journal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.Fsync;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The roll-back and clean-up of a {@link TransactionCommit}: the in-place undo of a failed apply
 * (step 5), the roll-back of a failed stage before the commit point (step 3), the removal of what
 * staging made, the fsync of the folders a clean-up removed names from, and the journal's deletion
 * after a failure. The steps are numbered as in {@link TransactionCommit}'s class comment, which
 * says what each prevents.
 */
final class CommitCleanUp {
    private final String id;
    private final Durability durability;
    private final Confinement confinement;
    /** {@link TransactionCommit}'s folders of the steps, computed once there. */
    private final Function<List<Step>, Collection<Path>> folders;

    CommitCleanUp(String id, Durability durability, Confinement confinement,
            Function<List<Step>, Collection<Path>> folders) {
        this.id = id;
        this.durability = durability;
        this.confinement = confinement;
        this.folders = folders;
    }

    /** In-place undo of renames 0..applied-1 after a failure of the apply step. */
    void undoApplied(JournalFile journal, List<Step> steps, List<Step.Rename> renames, int applied,
            StepRunner runner, Exception cause) throws AtomicWriteException {
        try {
            journal.mark(TransactionCommit.record("rollback").put("reason", String.valueOf(cause.getMessage())), true);
        } catch (IOException | RuntimeException markFailure) {
            // Without a durable rollback record, an undo interrupted by a crash would be rolled
            // forward by recovery from a half-undone state. Leave the files as the commit record
            // says they will be: recovery completes the transaction.
            cause.addSuppressed(markFailure);
            throw AtomicWriteException.failed("transaction " + id, journal.path(),
                    "record rollback after a failed apply (the journal is kept: the next transaction or"
                            + " FileTransaction.recover() completes this one)", cause);
        }
        try {
            for (int i = Math.min(applied, renames.size() - 1); i >= 0; i--) {
                runner.undo(renames.get(i));
            }
            if (durability.syncsFolder()) {
                StepRunner.syncFolders(folders.apply(steps));
            }
            // Forced before the clean-up removes the keeps: a crash during the clean-up must not
            // be taken for an undo still to do (whose keeps would then be missing).
            journal.mark(TransactionCommit.record("undone"), true);
            runner.cleanUp(steps, true);
            forceCleanUp(steps);
            journal.delete();
        } catch (IOException | RuntimeException undoFailure) {
            cause.addSuppressed(undoFailure);
            throw AtomicWriteException.failed("transaction " + id, journal.path(),
                    "undo after a failed apply (the journal is kept: FileTransaction.recover() finishes the undo)",
                    cause);
        }
    }

    /** Before the commit point no target was touched: remove what staging made, then the journal. */
    void rollBackBeforeCommitPoint(JournalFile journal, List<Step> steps, Exception cause) {
        if (cleanUpQuietly(steps, true, cause)) {
            try {
                forceCleanUp(steps);
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
                return; // the journal stays: recovery removes what may come back
            }
            discardJournal(journal, cause);
        }
    }

    /**
     * After a failed commit point, whose record may be on disk or not: the journal goes first,
     * and for good, then what staging made.
     * <ol>
     *   <li>Delete the journal and force its folder. Prevents: a power cut that keeps a journal
     *       holding the commit record while losing part of the staged files (removed in step 2):
     *       recovery would roll forward from a half-cleaned stage, new content in some files and
     *       old in others.</li>
     *   <li>Only then remove the staged files (and keeps), and force their folders, as
     *       {@link #forceCleanUp} says: no hidden {@code .NAME.tx-...} files that no journal
     *       names.</li>
     * </ol>
     * When step 1 fails, the staged files stay: whichever journal a power cut leaves, recovery
     * then finds every file it names (a journal that survives is rolled forward or back whole;
     * one that is gone leaves hidden files behind, never a mixed transaction).
     */
    void rollBackAtCommitPoint(JournalFile journal, List<Step> steps, Exception cause) {
        try {
            journal.delete();
            if (durability.syncsFolder()) {
                Path folder = journal.path().getParent();
                Fsync.folder(folder, "transaction " + id, folder);
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            return;
        }
        if (cleanUpQuietly(steps, true, cause)) {
            try {
                forceCleanUp(steps);
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Forces the folders the clean-up removed names from (hidden keeps, stages, trash; the parent
     * of a folder a rolled-back transaction made), each once, before the journal is deleted.
     * Prevents: a power cut keeping the journal's deletion but losing those unlinks, which would
     * leave hidden {@code .NAME.tx-...} files (or an empty folder) that no journal names any more,
     * for ever. (The journal's own deletion need not be forced: if it comes back, recovery only
     * cleans up again.)
     */
    private void forceCleanUp(List<Step> steps) throws IOException {
        forceFolders(folders.apply(steps));
    }

    void forceFolders(Collection<Path> toForce) throws IOException {
        if (durability.syncsFolder() && !toForce.isEmpty()) {
            StepRunner.syncFolders(toForce);
        }
    }

    boolean cleanUpQuietly(List<Step> steps, boolean rolledBack, Exception cause) {
        try {
            new StepRunner(false, Map.of(), new ArrayList<>(), new ArrayList<>(), confinement).cleanUp(steps, rolledBack);
            return true;
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            return false;
        }
    }

    void discardJournal(JournalFile journal, Exception cause) {
        try {
            journal.delete();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
