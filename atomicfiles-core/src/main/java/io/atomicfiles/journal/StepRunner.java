package io.atomicfiles.journal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.Fsync;
import io.atomicfiles.internal.HardLinks;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.internal.Parallel;
import io.atomicfiles.internal.Stat;
import io.atomicfiles.internal.TxNames;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Redo, undo and clean-up of journal steps. Every method here is idempotent: it looks at what
 * is on disk and does only what is still missing, so a crash at any point, followed by the
 * same call again, ends in the same place.
 */
final class StepRunner {
    /** How many deletions or folder fsyncs run at the same time. */
    private static final int PARALLELISM = 8;

    private final boolean checked;
    private final Map<Path, String> stagedSha;
    private final List<String> actions;
    private final List<String> conflicts;
    /** Checked right before each rename and deletion: nothing is done through a folder swapped for a link. */
    private final Confinement confinement;
    /** Every folder in which this runner has removed a name (the clean-ups): the ones to force after. */
    private final Set<Path> removedIn = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param checked whether to compare files with the states the journal recorded before
     *     touching them (recovery: someone may have changed them since; a running transaction
     *     holds their locks and skips the cost)
     * @param stagedSha the SHA-256 of each staged file, from the commit record
     */
    StepRunner(boolean checked, Map<Path, String> stagedSha, List<String> actions, List<String> conflicts) {
        this(checked, stagedSha, actions, conflicts, Confinement.NONE);
    }

    StepRunner(boolean checked, Map<Path, String> stagedSha, List<String> actions, List<String> conflicts,
            Confinement confinement) {
        this.confinement = confinement;
        this.checked = checked;
        this.stagedSha = stagedSha;
        this.actions = actions;
        this.conflicts = conflicts;
    }

    /**
     * Makes {@code from → to} true: renames when it has not happened yet; otherwise nothing.
     * Checked, it refuses (and reports) a rename that would clobber a change made by someone
     * else, or publish a staged file whose bytes are not the ones committed; and it takes a
     * missing {@code from} for "renamed already" only when {@code to} holds what was renamed
     * (the journal records it): else a file the journal needs was removed, and it stops.
     */
    void redo(Step.Rename step) throws IOException {
        if (!checked) {
            // A running transaction holds every lock and made every name itself a moment ago:
            // the rename needs no looking first. (A missing name fails the rename, and the
            // transaction is undone.)
            rename(step.from(), step.to());
            return;
        }
        boolean fromExists = exists(step.from());
        boolean toExists = exists(step.to());
        if (!fromExists) {
            // Already renamed. A trash name is deleted by the clean-up once the renames are done,
            // so finding neither name is the clean-up's work (a redo run again after it), not
            // someone else's.
            if (!toExists && !step.trash()) {
                conflicts.add("neither " + step.from() + " nor " + step.to() + " exists: removed by someone else");
            } else if (toExists && !step.trash()) {
                String renamed = step.fromSha() != null ? step.fromSha() : stagedSha.get(step.from());
                if (renamed != null && !renamed.equals(Hashing.sha256Hex(step.to()))) {
                    throw missing(step.from(), "to be renamed to " + step.to() + ", which does not hold its content"
                            + " either (sha256 " + renamed + ")");
                }
            }
            return;
        }
        if (toExists && HardLinks.sameFile(step.from(), step.to())) {
            // rename(2) between two links of one file does nothing and leaves both names:
            // the rename has in effect happened, so only the extra name goes.
            confinement.deleteIfExists(step.from());
            actions.add("removed " + step.from() + " (already linked at " + step.to() + ")");
            return;
        }
        if (checked && !safeToRename(step)) {
            return;
        }
        rename(step.from(), step.to());
        actions.add("renamed " + step.from().getFileName() + " to " + step.to());
    }

    /**
     * Makes the state before {@code from → to} true again: the inverse of {@link #redo}, such
     * that {@code to} is never absent when it existed before (issue 8, item 9).
     *
     * <ol>
     *   <li>When {@code from} must come back (a move's source, a deleted file, the keep a later
     *       rename made into {@code NAME.backup}), it is made a second link of {@code to}: a new
     *       name, so {@code to} stays in place. (Where {@code to} displaced nothing, a rename
     *       back is the whole undo.) A staged file need not come back: the clean-up would
     *       delete it.</li>
     *   <li>The keep of the displaced content is renamed over {@code to}: one atomic replace,
     *       so a reader of {@code to} sees the new content, then the old, never nothing.</li>
     * </ol>
     *
     * <p>Whether a step is undone already is read from the journal, not guessed from a name's
     * absence: the keep exists until step 2 renames it over {@code to}, so a missing keep means
     * "undone" only when {@code to} holds exactly the content the journal says the keep held
     * ({@code displacedSha}). A keep that is gone otherwise was removed by someone else, and
     * with it possibly the only copy of the old content: the undo stops with an error that
     * names it, and the journal is kept.
     */
    void undo(Step.Rename step) throws IOException {
        Path keep = step.displaced();
        if (keep != null && !exists(keep)) {
            String old = step.displacedSha() != null ? step.displacedSha()
                    : step.toBefore() != null ? step.toBefore().sha256() : null;
            if (old != null && exists(step.to()) && old.equals(Hashing.sha256Hex(step.to()))) {
                return; // undone already: the keep was renamed back over step.to()
            }
            throw missing(keep, "keeping the previous content of " + step.to() + (old == null ? ""
                    : " (sha256 " + old + "), which " + step.to() + " does not hold") + "; cannot undo "
                    + step.from().getFileName() + " -> " + step.to());
        }
        boolean fromExists = exists(step.from());
        boolean toExists = exists(step.to());
        if (keep != null && toExists && Files.isSameFile(keep, step.to())) {
            // step.to() still is the displaced file: the rename never happened, or it was a move
            // of a file onto another link of itself, which the apply did by unlinking the source
            // (HardLinks.renameOver; issue 8 item 7). Renaming the keep over step.to() would do
            // nothing at all (rename(2) between two links of one file leaves both names), so only
            // a user's source that is gone comes back, as a link of the same file again (a hidden
            // name of the transaction never does: the clean-up removes it, and the keep).
            if (!fromExists && !TxNames.isTransactionName(step.from().getFileName().toString())) {
                linkBack(step);
            }
            return;
        }
        if (!fromExists && toExists && checked && !holdsWhatWasRenamed(step)) {
            conflicts.add(step.to() + " was changed by someone else after the transaction; left as it is");
            return;
        }
        if (keep == null) {
            if (!fromExists && toExists) {
                rename(step.to(), step.from());
                actions.add("renamed " + step.to() + " back to " + step.from().getFileName());
            }
            return;
        }
        if (!fromExists && toExists && !isStaged(step.from())) {
            linkBack(step);
        }
        rename(keep, step.to());
        actions.add("restored " + step.to());
    }

    /** Step 1 of an undo over a displaced file: {@code from} as a second link of {@code to}. */
    private void linkBack(Step.Rename step) throws IOException {
        try {
            Files.createLink(step.from(), step.to());
            actions.add("linked " + step.to() + " back to " + step.from().getFileName());
        } catch (UnsupportedOperationException e) {
            // A filesystem without hard links: rename back instead. Each rename is atomic, but
            // step.to() is absent until the keep is renamed over it, a moment later.
            rename(step.to(), step.from());
            actions.add("renamed " + step.to() + " back to " + step.from().getFileName());
        }
    }

    /** Whether {@code path} is a staged file of a transaction ({@code .NAME.tx-…-<op>.stage}). */
    private static boolean isStaged(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith("." + Planner.STAGE) && TxNames.isTransactionName(name);
    }

    /** A file the journal says is there is not: someone removed it; nothing is guessed. */
    private static AtomicWriteException missing(Path path, String role) {
        return AtomicWriteException.failed("transaction", path, "find " + path.getFileName() + ", " + role
                + " (the journal says it exists; removed by someone else? the journal is kept for inspection)",
                new java.nio.file.NoSuchFileException(path.toString()));
    }

    /**
     * Deletes the transaction's hidden names that are still there: staged files, keeps and
     * trash. After a rollback, also the folders it created, if they are empty.
     */
    void cleanUp(List<Step> steps, boolean rolledBack) throws IOException {
        // The keeps go first: a staged file deleted while its keep remains would make a rename
        // that never happened look done to a redo. (An undo is not run again after its clean-up
        // began: the journal's "undone" record, forced first, says it is over.)
        List<Path> keeps = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Keep) {
                keeps.add(((Step.Keep) step).path());
            } else if (step instanceof Step.Stage) {
                others.add(((Step.Stage) step).path());
            } else if (step instanceof Step.Rename && ((Step.Rename) step).trash()) {
                others.add(((Step.Rename) step).to());
            }
        }
        // Side by side within each group: an unlink that frees a file's blocks waits on the
        // filesystem's journal, and many of them share one commit.
        deleteAll(keeps);
        deleteAll(others);
        if (rolledBack) {
            for (Path folder : madeFolders(steps)) {
                try {
                    // Only a folder: where a folder could not be made, a file of someone else's
                    // may stand (the very reason a transaction failed), and it is not ours to delete.
                    if (Stat.isDirectory(folder) && confinement.allows(folder, "delete folder")
                            && Files.deleteIfExists(folder)) {
                        actions.add("removed folder " + folder);
                    }
                } catch (DirectoryNotEmptyException e) {
                    // Someone else put a file there meanwhile: the folder is theirs now too.
                }
            }
        }
    }

    /**
     * rename(2); confined, renameat(2) in the two folders opened from the root without following
     * links. When the two names are hard links of one file, rename(2) does nothing: then
     * {@code from} is unlinked, which is what the rename was for (a move whose source and target
     * were one file, a delete whose deleted_backup was a link of the file, a keep that was
     * already NAME.backup).
     */
    private void rename(Path from, Path to) throws IOException {
        confinement.renameOver(from, to);
    }

    /**
     * The clean-up of a transaction that just applied every rename itself: staged files were all
     * renamed away, so only the keeps (undo and old backups; a keep that became NAME.backup is
     * gone) and the trash remain to be deleted.
     */
    void cleanUpAfterCommit(List<Step> steps) throws IOException {
        Set<Path> renamedAway = new java.util.HashSet<>();
        List<Path> trash = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename) {
                Step.Rename rename = (Step.Rename) step;
                renamedAway.add(rename.from());
                if (rename.trash()) {
                    trash.add(rename.to());
                }
            }
        }
        List<Path> keeps = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Keep && !renamedAway.contains(((Step.Keep) step).path())) {
                keeps.add(((Step.Keep) step).path());
            }
        }
        deleteAll(keeps);
        deleteAll(trash);
    }

    /**
     * Of {@code folders}, in their order, those in which this runner's clean-ups removed a name:
     * the only ones a folder fsync after the clean-up has anything to make durable in.
     */
    List<Path> removedNamesIn(Collection<Path> folders) {
        List<Path> touched = new ArrayList<>();
        for (Path folder : folders) {
            if (removedIn.contains(folder)) {
                touched.add(folder);
            }
        }
        return touched;
    }

    private void deleteAll(List<Path> leftovers) throws IOException {
        List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            Parallel.forEach(leftovers, PARALLELISM, leftover -> {
                if (deleteLeftover(leftover)) {
                    removedIn.add(leftover.getParent());
                    deleted.add("deleted " + leftover);
                }
            });
        } finally {
            actions.addAll(deleted);
        }
    }

    /**
     * Deletes a hidden name if it is there. A name below something that is not a folder cannot
     * be there (a staged file whose folder could not be made, because a file has that name);
     * deleting it fails with ENOTDIR, which Java reports as a bare FileSystemException. Taking
     * that for a failure would make the clean-up, and every recovery after it, fail forever.
     */
    private boolean deleteLeftover(Path leftover) throws IOException {
        if (!confinement.allows(leftover, "delete")) {
            // Its folder was swapped for a link: the name there is not ours, and is left.
            Log.of(StepRunner.class).get().warn("left {}: its folder is no longer inside {}",
                    leftover, confinement.root());
            return false;
        }
        try {
            return confinement.deleteIfExists(leftover);
        } catch (FileSystemException e) {
            if (!Stat.meansAbsent(e, leftover)) {
                throw e;
            }
            return false;
        }
    }


    private boolean safeToRename(Step.Rename step) throws IOException {
        String committed = stagedSha.get(step.from());
        if (committed != null && !committed.equals(Hashing.sha256Hex(step.from()))) {
            conflicts.add("staged file " + step.from() + " does not hold the committed bytes; " + step.to()
                    + " left as it is");
            return false;
        }
        if (step.fromSha() != null && !step.fromSha().equals(Hashing.sha256Hex(step.from()))) {
            conflicts.add(step.from() + " was changed by someone else since the transaction began; left as it is");
            return false;
        }
        if (step.toBefore() != null && !step.toBefore().equals(state(step.to()))) {
            conflicts.add(step.to() + " was changed by someone else since the transaction began (expected "
                    + step.toBefore() + "); not overwritten");
            return false;
        }
        return true;
    }

    private boolean holdsWhatWasRenamed(Step.Rename step) throws IOException {
        String expected = step.fromSha() != null ? step.fromSha() : stagedSha.get(step.from());
        return expected == null || expected.equals(Hashing.sha256Hex(step.to()));
    }

    private static Step.FileState state(Path file) throws IOException {
        return exists(file) ? new Step.FileState(true, Hashing.sha256Hex(file)) : Step.FileState.ABSENT;
    }

    private static boolean exists(Path path) throws IOException {
        return Stat.exists(path);
    }

    /** Every folder in which the steps create, rename or remove a name. */
    /** The folders the steps make, deepest first: the order a rollback removes them in. */
    static List<Path> madeFolders(Collection<Step> steps) {
        List<Path> folders = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.MakeFolder) {
                folders.add(0, ((Step.MakeFolder) step).dir());
            }
        }
        return folders;
    }

    static Set<Path> foldersOf(Collection<Step> steps) {
        Set<Path> folders = new LinkedHashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.MakeFolder) {
                Path dir = ((Step.MakeFolder) step).dir();
                if (dir.getParent() != null) {
                    folders.add(dir.getParent());
                }
            } else if (step instanceof Step.Stage) {
                folders.add(((Step.Stage) step).path().getParent());
            } else if (step instanceof Step.Keep) {
                folders.add(((Step.Keep) step).path().getParent());
            } else {
                Step.Rename rename = (Step.Rename) step;
                folders.add(rename.from().getParent());
                folders.add(rename.to().getParent());
            }
        }
        return folders;
    }

    /** Forces each folder once, so the names created or renamed in it survive a power loss. */
    static void syncFolders(Collection<Path> folders) throws IOException {
        Parallel.forEach(new ArrayList<>(folders), PARALLELISM, folder -> {
            if (Stat.isDirectory(folder)) {
                Fsync.folder(folder, "transaction", folder);
            }
        });
    }
}
