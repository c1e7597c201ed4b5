package io.atomicfiles.journal;

import io.atomicfiles.internal.Log;
import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.Backups;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.ContentSink;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.TxNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The transaction protocol, run once per {@code FileTransaction.commit()}. Each step names the
 * failure it prevents.
 *
 * <ol>
 *   <li>Begin: under the journal folder's lock, recover abandoned journals (a crashed
 *       transaction's files are finished before anyone builds on them; the listener hears of
 *       each), then create and lock this transaction's journal. Take the locks of every file the
 *       transaction touches, in a fixed order (no deadlock with another transaction). A failure
 *       here has touched no file and leaves no journal.</li>
 *   <li>Intent: plan every step and hidden name, record each target's state, and force the
 *       journal and its folder. A crash from here on leaves a journal naming everything the
 *       transaction may create, so nothing it leaves is orphaned.</li>
 *   <li>Stage: write every new content under a hidden name beside its target, forced and
 *       verified, in parallel; link what will be displaced; force the folders. A failure here
 *       touches no target: clean up, and the files are as they were.</li>
 *   <li>Commit point: a {@code commit} record sealing the intent and each staged file's SHA-256,
 *       forced with {@code fdatasync}: it is written into room the intent allocated and forced
 *       ({@link JournalFile#mark}). Before it, a crash means rollback; after it, roll-forward.
 *       When that fsync fails the record may be on disk or not: the journal is deleted and its
 *       folder forced before any staged file is removed, so that no recovery rolls forward from
 *       a half-removed stage ({@link CommitCleanUp#rollBackAtCommitPoint}).</li>
 *   <li>Apply: the renames, in order; then force every folder touched, once. A failure here is
 *       undone in place (recorded first with a {@code rollback} record, so a crash during the
 *       undo is finished as an undo; {@link CommitCleanUp}).</li>
 *   <li>Done: a {@code done} record, remove the hidden leftovers, force the folders the removal
 *       took a name from (none when the transaction displaced nothing), delete the journal.</li>
 * </ol>
 *
 * <p>The fsyncs of a commit beyond the staged files' own, one after another, and what each
 * prevents (for every name that a later step relies on, its folder is forced before that step):
 * the journal (2) and its folder (2): a journal lost while its hidden files survive; the staging
 * folders (3): a commit record that outlives the staged names it rolls forward to; the commit
 * record (4, {@code fdatasync}): a committed transaction recovered as rolled back after it was
 * applied in part; the folders after the renames (5): a {@code done} record, or a return to the
 * caller, before the renames are durable; the folders after the clean-up (6): the journal's
 * deletion outliving the removal of hidden keeps or trash, which no journal would name any more.
 * The last is the only one that could serve with the fifth (removal first, one fsync), as far as
 * crashes go; it is kept apart because the clean-up removes the keeps and the trash, the only
 * copies of the old contents, and a failed fifth fsync is undone in place with them (the
 * contract of {@code FileTransaction.commit()}: on failure everything is undone).
 *
 * <p>Confined to a root ({@link TransactionOptions#confinedTo()}), every change of steps 3 to 6
 * (and of the undo) is preceded by {@link Confinement#check}: a folder on its path that has
 * become a symbolic link since the operation was added fails the transaction before anything
 * is done through it. The journal's header records the root, so recovery checks alike.
 */
public final class TransactionCommit {
    private static final Log LOG = Log.of(TransactionCommit.class);

    private final String id;
    private final List<Operation> operations;
    private final TransactionOptions options;
    private final ProgressListener progress;
    private final Durability durability;
    private final Confinement confinement;
    /** The random part of every hidden name of this transaction, recorded in the journal's header. */
    private final String tag = TxNames.newTag();
    /** Every folder the planned steps create, rename or remove a name in ({@link #folders}). */
    private Set<Path> folders;
    /** The roll-back and clean-up helpers, and the journal's deletion on a failure. */
    private final CommitCleanUp cleanUp;

    private TransactionCommit(String id, List<Operation> operations, TransactionOptions options,
            Confinement confinement, ProgressListener progress) {
        this.id = id;
        this.confinement = confinement;
        this.operations = operations;
        this.options = options;
        this.progress = progress;
        this.durability = options.durability();
        this.cleanUp = new CommitCleanUp(id, durability, confinement, this::folders);
    }

    /**
     * Runs the whole protocol: on return every operation is applied and durable (per the
     * durability option); on an exception every file is as it was.
     *
     * @return what recovery did to abandoned journals at the start
     */
    public static RecoveryReport run(String id, List<Operation> operations, TransactionOptions options,
            ProgressListener progress) throws IOException {
        return run(id, operations, options, Confinement.NONE, progress);
    }

    /**
     * {@link #run(String, List, TransactionOptions, ProgressListener)}, every change checked
     * against {@code confinement} right before it is made.
     */
    public static RecoveryReport run(String id, List<Operation> operations, TransactionOptions options,
            Confinement confinement, ProgressListener progress) throws IOException {
        return new TransactionCommit(id, operations, options, confinement, progress).run();
    }

    /**
     * The bytes staging will write for {@code operations}: every write, every copy, and every
     * move across filesystems (staged as a copy beside its target).
     */
    public static long bytesToStage(List<Operation> operations) throws IOException {
        long total = 0;
        for (Operation operation : operations) {
            if (operation instanceof Operation.Write) {
                total += ((Operation.Write) operation).content().length;
            } else if (operation instanceof Operation.Copy) {
                total += Files.size(((Operation.Copy) operation).source());
            } else if (operation instanceof Operation.Move) {
                Operation.Move move = (Operation.Move) operation;
                if (!Planner.sameFileStore(move.source(), move.target())) {
                    total += Files.size(move.source());
                }
            }
        }
        return total;
    }

    private RecoveryReport run() throws IOException {
        // Step 1: begin. A failure here touches no file of the caller's: report it as this
        // transaction's failure (AtomicWriteException), whatever the filesystem threw.
        Path journalDir = null;
        JournalFile journal;
        RecoveryReport recovered;
        try {
            journalDir = Recovery.journalDir(options.journalDir().orElse(null));
            try (PathLocks.Held folder = Recovery.lockFolder(journalDir, options.lockTimeout())) {
                recovered = Recovery.recoverLocked(journalDir);
                refuseFilesOfUnfinished(recovered);
                journal = JournalFile.create(journalDir, id, durability);
                Recovery.markActive(journal.path());
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (journalDir == null) {
                throw AtomicWriteException.failed("transaction " + id, options.journalDir().orElse(null),
                        "create the journal folder (a file has its name)", e);
            }
            throw AtomicWriteException.failed("transaction " + id, journalDir.resolve(id + JournalFile.SUFFIX),
                    "create journal (a transaction with id '" + id + "' is already in progress)", e);
        } catch (IOException | RuntimeException e) {
            throw wrap(e, "begin (recover the journal folder, create the journal)");
        }
        // What that recovery did is news for the caller too (commit() returns nothing): its
        // listener hears of each transaction finished, as the log does.
        for (RecoveryReport.Transaction t : recovered.transactions()) {
            progress.note("recovered interrupted transaction " + t.id() + ": " + t.outcome()
                    + (t.conflicts().isEmpty() ? "" : ", conflicts: " + String.join("; ", t.conflicts())));
        }
        List<PathLocks.Held> locks = List.of();
        try {
            try {
                List<Path> paths = lockedPaths();
                for (Path path : paths) {
                    // Taking a lock may create a lock file for the path: not through a swapped folder.
                    confinement.check(path, "lock");
                }
                locks = PathLocks.acquireAll(paths, options.lockTimeout());
            } catch (IOException | RuntimeException e) {
                // Nothing recorded yet: the empty journal goes, so no recovery has to discard it.
                cleanUp.discardJournal(journal, e);
                throw wrap(e, "lock the files");
            }
            Set<Path> madeByLocks = new HashSet<>();
            for (PathLocks.Held held : locks) {
                madeByLocks.addAll(held.madeFolders());
            }
            execute(journal, madeByLocks);
        } finally {
            PathLocks.releaseAll(locks);
            Recovery.markInactive(journal.path());
            journal.close();
        }
        return recovered;
    }

    private void execute(JournalFile journal, Set<Path> madeByLocks) throws IOException {
        // Step 2: intent.
        List<Step> steps;
        try {
            steps = Planner.plan(tag, options.backup(), operations, madeByLocks);
            journal.writeIntent(header(), steps, reserveFor(steps));
        } catch (IOException | RuntimeException e) {
            cleanUp.discardJournal(journal, e);
            throw wrap(e, "record intent");
        }
        // Step 3: stage.
        Map<Path, ContentSink.Written> staged;
        try {
            staged = Staging.run(steps, folders(steps), operations, durability, confinement, progress);
        } catch (IOException | RuntimeException e) {
            cleanUp.rollBackBeforeCommitPoint(journal, steps, e);
            throw wrap(e, "stage");
        }
        // Step 4: the commit point.
        try {
            journal.mark(commitRecord(journal, staged), true);
        } catch (IOException | RuntimeException e) {
            // The commit record may or may not be on disk (a failed fsync is final): undone here,
            // the transaction must not be rolled forward by a recovery (CommitCleanUp).
            cleanUp.rollBackAtCommitPoint(journal, steps, e);
            throw wrap(e, "record commit point");
        }
        // Step 5: apply.
        List<Step.Rename> renames = renamesOf(steps);
        StepRunner runner = new StepRunner(false, Map.of(), new ArrayList<>(), new ArrayList<>(), confinement);
        int applied = 0;
        try {
            boolean listening = progress != ProgressListener.none(); // else no message to build
            for (Step.Rename rename : renames) {
                if (listening) {
                    progress.note("apply " + (rename.op() + 1) + " of " + operations.size() + ": "
                            + operations.get(rename.op()).describe());
                }
                runner.redo(rename);
                applied++;
            }
            if (durability.syncsFolder()) {
                StepRunner.syncFolders(folders(steps));
            }
        } catch (IOException | RuntimeException e) {
            Step.Rename failed = applied < renames.size() ? renames.get(applied) : null;
            cleanUp.undoApplied(journal, steps, renames, applied, runner, e);
            String what = failed == null ? "force folders" : "apply " + operations.get(failed.op()).describe();
            throw wrap(e, what);
        }
        // Step 6: done. The journal's deletion need not be forced: if it comes back after a power
        // loss, recovery finds every rename done and only cleans up.
        try {
            journal.mark(record("done"), false);
            runner.cleanUpAfterCommit(steps);
            // Before the journal goes (see CommitCleanUp.forceCleanUp), but only the folders the clean-up removed
            // a name from: in the others step 5 forced every change already, and a second fsync
            // would guard nothing (a transaction of new files removes nothing: no fsync here).
            cleanUp.forceFolders(runner.removedNamesIn(folders(steps)));
            journal.delete();
        } catch (IOException | RuntimeException e) {
            LOG.get().warn("transaction {} is committed, but its leftovers could not all be removed ({});"
                    + " the next recovery removes them", id, e.toString());
        }
    }

    /**
     * {@link StepRunner#foldersOf} the steps, computed once: staging, the apply step and the
     * clean-up force the same folders (the steps do not change once planned).
     */
    private Collection<Path> folders(List<Step> steps) {
        if (folders == null) {
            folders = StepRunner.foldersOf(steps);
        }
        return folders;
    }

    /**
     * A journal recovery could not finish still owns its files: their content may be the only
     * copy of something the user needs (a keep of old content, a staged new version). Building
     * on them would bury that, so a transaction touching one of them is refused; one touching
     * other files goes on.
     */
    private void refuseFilesOfUnfinished(RecoveryReport recovered) throws AtomicWriteException {
        if (!recovered.hasUnfinished()) {
            return;
        }
        // By name, as the journal records them: the journal folder may be on another view of the
        // filesystem than the caller's paths.
        Set<String> mine = new java.util.HashSet<>();
        for (Path path : lockedPaths()) {
            mine.add(path.toAbsolutePath().normalize().toString());
        }
        for (RecoveryReport.Unfinished left : recovered.unfinished()) {
            for (Path path : left.paths()) {
                if (mine.contains(path.toAbsolutePath().normalize().toString())) {
                    throw AtomicWriteException.failed("transaction " + id, path,
                            "begin (the unfinished transaction journal " + left.journal() + " names this file: "
                                    + left.reason() + "; finish or remove that journal first, see"
                                    + " FileTransaction.recover())", null);
                }
            }
            progress.note("transaction journal " + left.journal() + " left unfinished: " + left.reason());
        }
    }

    /** Every user-visible path the transaction may touch, known without reading the disk. */
    private List<Path> lockedPaths() {
        Set<Path> paths = new LinkedHashSet<>();
        for (Operation operation : operations) {
            Path target = operation.target();
            paths.add(target);
            if (operation instanceof Operation.Move) {
                paths.add(((Operation.Move) operation).source());
            }
            if (options.backup()) {
                paths.add(operation instanceof Operation.Delete
                        ? target.resolveSibling(target.getFileName() + Planner.DELETED_BACKUP_SUFFIX)
                        : Backups.backupOf(target));
            }
        }
        return new ArrayList<>(paths);
    }

    private ObjectNode header() {
        ObjectNode header = record("header").put("magic", JournalFile.MAGIC).put("version", JournalFile.VERSION)
                .put("id", id).put("tag", tag).put("created", Instant.now().toString())
                .put("pid", ProcessHandle.current().pid()).put("operations", operations.size());
        if (confinement.confines()) {
            header.put("root", confinement.root().toString()); // recovery confines itself alike
        }
        return header;
    }

    private ObjectNode commitRecord(JournalFile journal, Map<Path, ContentSink.Written> staged) {
        ObjectNode commit = record("commit").put("intentSha", journal.intentSha());
        ArrayNode entries = commit.putArray("staged");
        staged.forEach((path, written) -> entries.addObject().put("path", path.toString())
                .put("sha256", written.sha256()).put("size", written.size()));
        return commit;
    }

    /** Room for the commit record (one entry per staged file) and the later markers. */
    private static int reserveFor(List<Step> steps) {
        int room = 1024;
        for (Step step : steps) {
            if (step instanceof Step.Stage) {
                room += ((Step.Stage) step).path().toString().length() * 2 + 160;
            }
        }
        return room;
    }

    private static List<Step.Rename> renamesOf(List<Step> steps) {
        List<Step.Rename> renames = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename) {
                renames.add((Step.Rename) step);
            }
        }
        return renames;
    }

    static ObjectNode record(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    private AtomicWriteException wrap(Exception e, String step) {
        if (e instanceof AtomicWriteException) {
            return (AtomicWriteException) e;
        }
        return AtomicWriteException.failed("transaction " + id, null, step, e);
    }
}
