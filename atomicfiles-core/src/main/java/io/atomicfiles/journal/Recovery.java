package io.atomicfiles.journal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.Durability;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.MadeFolders;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.Stat;
import io.atomicfiles.internal.StateDir;
import io.atomicfiles.internal.TempFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * Finishes what crashed transactions left: for each journal whose owner is gone (its file lock
 * is free), roll back if the commit point was not reached, roll forward if it was, or only
 * clean up if the transaction had finished.
 *
 * <p>Recovery is itself crash-safe: every step it takes is idempotent and the journal is
 * deleted last, so a recovery killed halfway is simply run again. It holds the journal folder's
 * lock while it scans, and each transaction's file locks while it works on its files.
 */
public final class Recovery {
    private static final Log LOG = Log.of(Recovery.class);
    /** Journals of transactions running in this JVM: their OS locks are ours, so tryLock cannot tell. */
    private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();
    private static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    /** Temp files of single-file writes older than this belong to no running writer. */
    private static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

    private Recovery() {
    }

    /**
     * The journal folder: the option when given, else the state folder; by its real path, so
     * that every spelling of one folder (a linked folder, "..") names a journal alike. Recovery
     * tells this JVM's running transactions by their journals' names ({@link #ACTIVE}); one it
     * failed to recognise would be opened and closed, and closing any channel of a file drops
     * this process's OS lock on it, after which another process would "recover" a running
     * transaction.
     */
    static Path journalDir(Path option) throws IOException {
        return StateDir.ensure(option != null ? option.toAbsolutePath() : StateDir.journals()).toRealPath();
    }

    /** The lock that serialises scanning a journal folder with creating journals in it. */
    static PathLocks.Held lockFolder(Path journalDir, Duration timeout) throws IOException {
        return PathLocks.acquire(journalDir.resolve(".journal-folder"), timeout);
    }

    static void markActive(Path journal) {
        ACTIVE.add(journal.toAbsolutePath());
    }

    static void markInactive(Path journal) {
        ACTIVE.remove(journal.toAbsolutePath());
    }

    /** Recovers every abandoned journal in {@code journalDir} (null: the state folder). */
    public static RecoveryReport recover(Path journalDirOption) throws IOException {
        Path journalDir = journalDir(journalDirOption);
        try (PathLocks.Held folder = lockFolder(journalDir, LOCK_WAIT)) {
            return recoverLocked(journalDir);
        }
    }

    /** Like {@link #recover}, for a caller that already holds the folder's lock. */
    static RecoveryReport recoverLocked(Path journalDir) throws IOException {
        List<RecoveryReport.Transaction> recovered = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<RecoveryReport.Unfinished> unfinished = new ArrayList<>();
        for (Path journal : journals(journalDir)) {
            if (ACTIVE.contains(journal.toAbsolutePath())) {
                skipped.add(journal.getFileName().toString());
                continue;
            }
            // One journal that cannot be finished must not keep the others (and every later
            // transaction) from recovery: it is left as it is, reported, and the scan goes on.
            RecoveryReport.Transaction result;
            try {
                result = recoverOne(journal);
            } catch (LeftUnfinished e) {
                LOG.get().error("transaction journal {} left unfinished: {}", journal, e.getMessage());
                unfinished.add(new RecoveryReport.Unfinished(journal, e.getMessage(), e.paths));
                continue;
            } catch (PlanCheck.Refused e) {
                LOG.get().error("{}", e.getMessage());
                unfinished.add(new RecoveryReport.Unfinished(journal, e.getMessage(), List.of()));
                continue;
            } catch (IOException | RuntimeException e) {
                LOG.get().error("transaction journal {} left unfinished", journal, e);
                unfinished.add(new RecoveryReport.Unfinished(journal, e.toString(), List.of()));
                continue;
            }
            if (result == null) {
                skipped.add(journal.getFileName().toString());
            } else {
                recovered.add(result);
            }
        }
        return new RecoveryReport(journalDir, recovered, skipped, unfinished);
    }

    /** A journal recovery could not finish, with the user-visible files its plan names. */
    static final class LeftUnfinished extends IOException {
        private static final long serialVersionUID = 1L;
        final transient List<Path> paths;

        LeftUnfinished(String reason, List<Path> paths, Throwable cause) {
            super(reason, cause);
            this.paths = List.copyOf(paths);
        }
    }

    private static List<Path> journals(Path journalDir) throws IOException {
        List<Path> journals = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(journalDir, "*" + JournalFile.SUFFIX)) {
            entries.forEach(journals::add);
        }
        journals.sort(null);
        return journals;
    }

    /** Recovers one journal, or returns null when its owner still holds it. */
    private static RecoveryReport.Transaction recoverOne(Path journal) throws IOException {
        JournalFile file;
        try {
            file = JournalFile.openLocked(journal, Durability.FULL);
        } catch (java.nio.file.NoSuchFileException gone) {
            return null; // finished by its owner while we looked
        }
        if (file == null) {
            return null; // its owner is alive
        }
        try (file) {
            if (!Stat.exists(journal)) {
                // Its owner releases the lock, then deletes the journal, once everything is done:
                // we got the lock in between, and the transaction is over.
                return null;
            }
            // Only this user's own journal is run (a planted one would make recovery its tool).
            PlanCheck.trustedFile(journal);
            // Read through the locked channel: opening the journal a second time and closing
            // that descriptor would drop this process's lock on it.
            JournalFile.Contents contents = file.readLocked(journal.getFileSystem());
            try {
                PlanCheck.plan(journal, contents);
            } catch (PlanCheck.Refused e) {
                throw new LeftUnfinished(e.getMessage(), userPaths(contents.steps()), e);
            }
            RecoveryReport.Transaction result;
            try {
                result = finish(journal, file, contents);
            } catch (IOException | RuntimeException e) {
                throw new LeftUnfinished(e instanceof LeftUnfinished ? e.getMessage() : String.valueOf(e),
                        userPaths(contents.steps()), e);
            }
            if (result.conflicts().stream().noneMatch(c -> c.startsWith("journal"))) {
                Files.deleteIfExists(journal);
            }
            LOG.get().info("recovered transaction {}: {}", result.id(), result.outcome());
            return result;
        }
    }

    /** Decides and carries out the fate of one transaction, under its files' locks. */
    private static RecoveryReport.Transaction finish(Path journal, JournalFile file, JournalFile.Contents contents)
            throws IOException {
        String id = contents.id() != null ? contents.id()
                : journal.getFileName().toString().replace(JournalFile.SUFFIX, "");
        List<String> actions = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        if (contents.header() == null || !contents.planned()) {
            // The intent never became durable, so staging never began: nothing but the journal exists.
            // Still delete any hidden name the partial intent lists, in case.
            new StepRunner(false, Map.of(), actions, conflicts, confinement(contents, journal.getFileSystem()))
                    .cleanUp(contents.steps(), true);
            StepRunner.syncFolders(StepRunner.foldersOf(contents.steps())); // as below
            return new RecoveryReport.Transaction(id, RecoveryReport.Outcome.DISCARDED, actions, conflicts);
        }
        if (contents.commit() != null && !contents.commitValid()) {
            conflicts.add("journal " + journal + " has a commit record that does not seal its intent;"
                    + " left for inspection, no file touched");
            return new RecoveryReport.Transaction(id, RecoveryReport.Outcome.DISCARDED, actions, conflicts);
        }
        List<PathLocks.Held> locks = PathLocks.acquireAll(userPaths(contents.steps()), LOCK_WAIT);
        List<Path> foldersToRemove = List.of();
        try {
            StepRunner runner = new StepRunner(true, stagedSha(contents, journal.getFileSystem()), actions, conflicts,
                    confinement(contents, journal.getFileSystem()));
            List<Step.Rename> renames = renames(contents.steps());
            RecoveryReport.Outcome outcome;
            if (contents.commit() == null) {
                // Before the commit point nothing was renamed: only the hidden names go. (Undo
                // would be wrong here: a staged file not yet written looks like one renamed away.)
                outcome = RecoveryReport.Outcome.ROLLED_BACK;
            } else if (contents.rolledBack()) {
                // A rollback was decided after the commit point: undo what was applied, newest
                // first, unless the journal says the undo was completed (only its clean-up remains).
                if (!contents.undone()) {
                    for (int i = renames.size() - 1; i >= 0; i--) {
                        runner.undo(renames.get(i));
                    }
                    StepRunner.syncFolders(StepRunner.foldersOf(contents.steps()));
                    file.mark(marker("undone"), true);
                }
                outcome = RecoveryReport.Outcome.ROLLED_BACK;
            } else if (!contents.done()) {
                for (Step.Rename rename : renames) {
                    runner.redo(rename);
                }
                // Forced before the clean-up: a recovery run again after a crash in it only cleans.
                StepRunner.syncFolders(StepRunner.foldersOf(contents.steps()));
                file.mark(marker("done"), true);
                outcome = RecoveryReport.Outcome.ROLLED_FORWARD;
            } else {
                outcome = RecoveryReport.Outcome.CLEANED_UP;
            }
            runner.cleanUp(contents.steps(), outcome == RecoveryReport.Outcome.ROLLED_BACK);
            if (outcome == RecoveryReport.Outcome.ROLLED_BACK) {
                foldersToRemove = madeFolders(contents.steps(), confinement(contents, journal.getFileSystem()));
            }
            // Forced before the caller deletes the journal: else a power cut may keep that
            // deletion and lose the clean-up's, leaving hidden names no journal names any more.
            StepRunner.syncFolders(StepRunner.foldersOf(contents.steps()));
            sweepTempFiles(contents.steps(), actions, confinement(contents, journal.getFileSystem()));
            return new RecoveryReport.Transaction(id, outcome, actions, conflicts);
        } finally {
            PathLocks.releaseAll(locks);
            // Recovery's own lock put a lock file in each folder the transaction made (it locks
            // the files in them), so the clean-up found them not empty: once the locks are let go,
            // a folder holding nothing but its lock file goes, so the rollback leaves the disk as
            // it was. (A rollback without a crash needs none of this: the lock that made a folder
            // removes it on release.)
            MadeFolders.removeFoldersLeftEmpty(foldersToRemove);
        }
    }

    /** The folders a rolled-back transaction's plan made, deepest first, that confinement lets it remove. */
    private static List<Path> madeFolders(List<Step> steps, Confinement confinement) throws IOException {
        List<Path> folders = new ArrayList<>();
        for (Path folder : StepRunner.madeFolders(steps)) {
            if (confinement.allows(folder, "delete folder")) {
                folders.add(folder);
            }
        }
        return folders;
    }

    /** The root a confined transaction recorded in its header: recovery checks every change alike. */
    private static Confinement confinement(JournalFile.Contents contents, java.nio.file.FileSystem fs) {
        JsonNode root = contents.header() == null ? null : contents.header().get("root");
        return root == null || !root.isString() ? Confinement.NONE : Confinement.recorded(fs.getPath(root.asString()));
    }

    /**
     * The crash that stopped a transaction may have stopped single-file writes in the same
     * folders too: their temp files, once older than {@link #STALE_TEMP_AGE}, are removed.
     */
    private static void sweepTempFiles(List<Step> steps, List<String> actions, Confinement confinement) {
        for (Path folder : StepRunner.foldersOf(steps)) {
            try {
                if (!confinement.allows(folder.resolve(".sweep"), "sweep")) {
                    continue; // swapped for a link: not a folder of the transaction's any more
                }
                int removed = TempFiles.sweep(folder, STALE_TEMP_AGE);
                if (removed > 0) {
                    actions.add("removed " + removed + " stale temp file(s) in " + folder);
                }
            } catch (IOException e) {
                LOG.get().debug("could not sweep {}: {}", folder, e.toString());
            }
        }
    }

    private static tools.jackson.databind.node.ObjectNode marker(String type) {
        return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", type)
                .put("by", "recovery");
    }

    /** Staged file → its committed SHA-256, from the commit record. */
    static Map<Path, String> stagedSha(JournalFile.Contents contents, java.nio.file.FileSystem fs) {
        Map<Path, String> staged = new HashMap<>();
        if (contents.commit() != null) {
            for (JsonNode entry : contents.commit().path("staged")) {
                staged.put(fs.getPath(entry.path("path").asString()), entry.path("sha256").asString());
            }
        }
        return staged;
    }

    private static List<Step.Rename> renames(List<Step> steps) {
        List<Step.Rename> renames = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename) {
                renames.add((Step.Rename) step);
            }
        }
        return renames;
    }

    /** The user-visible files a transaction touches: the ones whose locks recovery must hold. */
    static List<Path> userPaths(List<Step> steps) {
        Set<Path> hidden = new LinkedHashSet<>();
        Set<Path> visible = new LinkedHashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.Stage) {
                hidden.add(((Step.Stage) step).path());
                visible.add(((Step.Stage) step).target());
            } else if (step instanceof Step.Keep) {
                hidden.add(((Step.Keep) step).path());
            } else if (step instanceof Step.Rename && ((Step.Rename) step).trash()) {
                hidden.add(((Step.Rename) step).to());
            }
        }
        for (Step step : steps) {
            if (step instanceof Step.Rename) {
                Step.Rename rename = (Step.Rename) step;
                if (!hidden.contains(rename.from())) {
                    visible.add(rename.from());
                }
                if (!hidden.contains(rename.to())) {
                    visible.add(rename.to());
                }
            }
        }
        return new ArrayList<>(visible);
    }
}
