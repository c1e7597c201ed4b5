package io.atomicfiles.hadoop.journal;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.Durability;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.hadoop.CommitPendingException;
import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.ClusterLocks;
import io.atomicfiles.hadoop.internal.Failures;
import io.atomicfiles.hadoop.internal.Names;
import io.atomicfiles.hadoop.internal.Parallel;
import io.atomicfiles.hadoop.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster transaction protocol, run once per {@code ClusterTransaction.commit()}. Each step
 * names the failure it prevents.
 *
 * <ol>
 *   <li>Begin: take the journal's ZooKeeper lock (recoveries leave a journal alone while it is
 *       held), recover abandoned journals of the folder, create this transaction's journal and
 *       keep it open (its HDFS lease fences this client, see {@link Journal}), then take the
 *       ZooKeeper locks of every file, in key order (no deadlock).</li>
 *   <li>Intent: plan every step and hidden name, record each target's state, hsync the journal.
 *       A crash from here on leaves a journal naming everything the transaction may create.</li>
 *   <li>Stage: every new content and every keep (a copy: HDFS has no hard links) under hidden
 *       names, forced and verified, side by side. A failure touches no target.</li>
 *   <li>Commit point: first check that the ZooKeeper session holding the locks is still the one
 *       that took them (a suspended or lost session aborts: another host may hold the locks); then
 *       append the {@code commit} record sealing the intent and each staged SHA-256, and hsync.
 *       A recovery that took the journal's lease first makes this append fail.</li>
 *   <li>Apply: the renames, in order, each one atomic. Before each, the session is checked again:
 *       once it is lost, this client stops (its locks may be another host's). Past the commit
 *       point a transaction only goes forward: on any failure here the journal is kept and
 *       recovery finishes the transaction ({@link CommitPendingException}). So no old content
 *       needs a copy for an undo (HDFS has no hard links: every such copy would double the I/O).</li>
 *   <li>Done: a {@code done} record, remove the hidden leftovers, delete the journal.</li>
 * </ol>
 */
public final class TransactionCommit {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCommit.class);

    private final ClusterFs cfs;
    private final ClusterLocks locks;
    private final Path journalDir;
    private final String id;
    private final List<Operation> operations;
    private final boolean backup;
    private final Durability durability;
    private final Duration lockTimeout;
    private final String tag = Names.random().substring(0, 10);

    private TransactionCommit(ClusterFs cfs, ClusterLocks locks, Path journalDir, String id,
            List<Operation> operations, boolean backup, Durability durability, Duration lockTimeout) {
        this.cfs = cfs;
        this.locks = locks;
        this.journalDir = journalDir;
        this.id = id;
        this.operations = operations;
        this.backup = backup;
        this.durability = durability;
        this.lockTimeout = lockTimeout;
    }

    /**
     * Runs the whole protocol: on return every operation is applied; on an exception every file
     * is as it was, except for {@link CommitPendingException} (committed, finished by recovery).
     *
     * @return what recovery did to abandoned journals at the start
     */
    public static RecoveryReport run(ClusterFs cfs, ClusterLocks locks, Path journalDir, String id,
            List<Operation> operations, boolean backup, Durability durability, Duration lockTimeout)
            throws IOException {
        return new TransactionCommit(cfs, locks, journalDir, id, operations, backup, durability, lockTimeout).run();
    }

    private RecoveryReport run() throws IOException {
        // Step 1: begin.
        Path journalPath = new Path(journalDir, id + JournalRecords.SUFFIX);
        RecoveryReport recovered;
        Journal journal;
        ClusterLocks.Held journalLock = locks.acquire(List.of(journalPath), lockTimeout, "transaction " + id);
        try {
            try {
                recovered = new Recovery(cfs, locks).recoverAll(journalDir, id);
                cfs.fs().mkdirs(journalDir);
                journal = Journal.create(cfs, journalDir, id, durability);
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                throw Failures.failed("transaction", journalPath,
                        "create journal (a transaction with id '" + id + "' is already in progress)", e);
            } catch (IOException | RuntimeException e) {
                throw Failures.wrap("transaction " + id, journalDir, "begin (recover the journal folder, create the"
                        + " journal)", e);
            }
            ClusterLocks.Held fileLocks = null;
            try {
                try {
                    fileLocks = locks.acquire(lockedPaths(), lockTimeout, "transaction " + id);
                } catch (IOException | RuntimeException e) {
                    discardJournal(journal, e);
                    throw Failures.wrap("transaction " + id, null, "lock the files", e);
                }
                execute(journal, fileLocks);
            } finally {
                if (fileLocks != null) {
                    fileLocks.close();
                }
                closeQuietly(journal);
            }
        } finally {
            journalLock.close();
        }
        return recovered;
    }

    private void execute(Journal journal, ClusterLocks.Held fileLocks) throws IOException {
        // Step 2: intent.
        List<Step> steps;
        Map<Path, FileStatus> statuses = new HashMap<>();
        try {
            Map<Path, Step.FileState> states = lookAt(Planner.pathsToLookAt(operations, backup), statuses);
            steps = Planner.plan(tag, backup, cfs, operations, states);
            journal.writeIntent(header(), steps);
        } catch (IOException | RuntimeException e) {
            discardJournal(journal, e);
            throw Failures.wrap("transaction " + id, null, "record intent", e);
        }
        // Step 3: stage.
        Map<Path, Staging.Written> staged;
        try {
            staged = Staging.run(cfs, steps, operations, durability, statuses);
        } catch (IOException | RuntimeException e) {
            rollBackBeforeCommitPoint(journal, steps, e);
            throw Failures.wrap("transaction " + id, null, "stage", e);
        }
        // Step 4: the commit point, only while the locks are still ours.
        try {
            fileLocks.confirmWithQuorum("transaction " + id, journal.path(), "record commit point");
        } catch (AtomicWriteException e) {
            rollBackBeforeCommitPoint(journal, steps, e);
            throw e;
        }
        try {
            journal.mark(commitRecord(journal, staged), true);
        } catch (IOException | RuntimeException e) {
            settleUncertainCommit(journal, e);
            return;
        }
        // Step 5: apply. Each operation's renames in their order; the operations side by side (one
        // NameNode round trip each, overlapped), which is safe because no two operations of a
        // transaction name the same file (ClusterTransaction refuses that; checked again here).
        List<Step.Rename> renames = renamesOf(steps);
        List<List<Step.Rename>> chains = chainsByOperation(renames);
        StepRunner runner = new StepRunner(cfs, steps, false, Map.of(), new ArrayList<>(), new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger applied = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Step.Rename> failed = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            Parallel.forEach(chains, chain -> {
                for (Step.Rename rename : chain) {
                    try {
                        fileLocks.checkSession("transaction " + id, rename.to(), "apply");
                        runner.redo(rename);
                    } catch (IOException | RuntimeException e) {
                        failed.compareAndSet(null, rename);
                        throw e;
                    }
                    applied.incrementAndGet();
                }
            });
            StepRunner.syncFolders(cfs, StepRunner.foldersOf(steps));
        } catch (IOException | RuntimeException e) {
            // Past the commit point a transaction only goes forward: the journal stays, and
            // recovery (any host, or the next transaction) redoes what is missing. A lost
            // ZooKeeper session lands here too: its locks may be another host's now.
            String what = failed.get() == null ? "force folders" : "apply " + operations.get(failed.get().op()).describe();
            throw new CommitPendingException("transaction " + id + " is committed, but '" + what + "' failed after "
                    + applied.get() + " of " + renames.size() + " renames (" + e.getMessage() + "); its journal is"
                    + " kept: recover() on any host, or the next transaction, completes it", e,
                    Failures.context("transaction " + id, journal.path(), what));
        }
        // Step 6: done. The deletion of the journal need not be forced: a journal that comes back
        // is recovered as CLEANED_UP.
        try {
            journal.mark(record("done"), false);
            runner.cleanUpAfterCommit(steps);
            journal.delete();
        } catch (IOException | RuntimeException e) {
            LOG.warn("transaction {} is committed, but its leftovers could not all be removed ({});"
                    + " the next recovery removes them", id, e.toString());
        }
    }

    /**
     * The commit record's append failed: it may or may not be in the journal (the DataNodes may
     * hold it though the acknowledgement never came, or a recovery took the lease). The journal,
     * once closed for good, decides: this client closes it (taking its lease back if need be),
     * reads it, and finishes the transaction as any recovery would: forward if the commit record
     * is there, back if not.
     */
    private void settleUncertainCommit(Journal journal, Exception failure) throws IOException {
        closeQuietly(journal);
        RecoveryReport.Transaction result;
        try {
            Fence fence = Fence.take(cfs, journal.path(), true, Recovery.LEASE_WAIT);
            if (fence == null) {
                throw new IOException("the journal is gone or held by another recovery");
            }
            try {
                byte[] bytes;
                try (InputStream in = cfs.fs().open(journal.path())) {
                    bytes = in.readAllBytes();
                }
                result = new Recovery(cfs, locks).finish(journal.path(), JournalRecords.read(bytes), false);
                fence.closeAndForget();
                cfs.deleteFile(journal.path());
            } finally {
                fence.close();
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
            throw new AtomicWriteException("transaction " + id + ": the commit record could not be confirmed, and"
                    + " this client could not settle the transaction (" + e.getMessage() + "); whether it committed"
                    + " is decided by its journal " + journal.path() + ": recover() finishes it either way",
                    failure, Failures.context("transaction " + id, journal.path(), "record commit point"));
        }
        if (result.outcome() == RecoveryReport.Outcome.ROLLED_FORWARD) {
            LOG.warn("transaction {}: the commit record's append reported {}, but it reached the journal; the"
                    + " transaction was rolled forward", id, failure.toString());
            return;
        }
        throw Failures.wrap("transaction " + id, null, "record commit point", failure);
    }

    /** Before the commit point no target was touched: remove what staging made, then the journal. */
    private void rollBackBeforeCommitPoint(Journal journal, List<Step> steps, Exception cause) {
        try {
            new StepRunner(cfs, steps, false, Map.of(), new ArrayList<>(), new ArrayList<>()).cleanUp(steps, true);
            discardJournal(journal, cause);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e); // the journal stays: recovery removes the rest
        }
    }

    private void discardJournal(Journal journal, Exception cause) {
        try {
            journal.delete();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void closeQuietly(Journal journal) {
        try {
            journal.close();
        } catch (IOException | RuntimeException e) {
            // Closed already, or its lease taken: nothing more to give up.
        }
    }

    /**
     * The state (absent, or SHA-256) of every path the plan looks at. Each folder is listed once
     * (one NameNode call for all the files of a folder, not one per file); the files that exist
     * are hashed side by side. Also keeps each existing file's status for staging (its permission).
     */
    private Map<Path, Step.FileState> lookAt(Set<Path> paths, Map<Path, FileStatus> statuses) throws IOException {
        Map<Path, List<Path>> byFolder = new LinkedHashMap<>();
        for (Path path : paths) {
            byFolder.computeIfAbsent(path.getParent(), f -> new ArrayList<>()).add(path);
        }
        List<Path> folders = new ArrayList<>(byFolder.keySet());
        List<Map<String, FileStatus>> listings = Parallel.map(folders, folder -> {
            Map<String, FileStatus> names = new HashMap<>();
            FileStatus folderStatus = cfs.statusOrNull(folder);
            if (folderStatus != null && folderStatus.isDirectory()) {
                for (FileStatus entry : cfs.fs().listStatus(folder)) {
                    names.put(entry.getPath().getName(), entry);
                }
            }
            return names;
        });
        List<Path> existing = new ArrayList<>();
        for (int i = 0; i < folders.size(); i++) {
            for (Path path : byFolder.get(folders.get(i))) {
                FileStatus status = listings.get(i).get(path.getName());
                if (status == null) {
                    continue;
                }
                if (!status.isFile()) {
                    throw new AtomicWriteException("transaction " + id + " failed: " + path + " is a folder, not a"
                            + " file", null, Failures.context("transaction " + id, path, "check plan"));
                }
                statuses.put(path, status);
                existing.add(path);
            }
        }
        // On HDFS a file's identity from the listing (inode id, length, modification time) tells a
        // change by someone else as well as its SHA-256, without reading it: one read per replaced
        // file saved. Elsewhere, the SHA-256.
        List<String> hashes = Parallel.map(existing, path -> {
            String identity = ClusterFs.identity(statuses.get(path));
            if (identity != null) {
                return identity;
            }
            try (InputStream in = cfs.fs().open(path)) {
                return Sha256.of(in);
            }
        });
        Map<Path, Step.FileState> byPath = new HashMap<>();
        for (Path path : paths) {
            byPath.put(path, Step.FileState.ABSENT);
        }
        for (int i = 0; i < existing.size(); i++) {
            byPath.put(existing.get(i), new Step.FileState(true, hashes.get(i)));
        }
        return byPath;
    }

    /** Every user-visible path the transaction may touch. */
    private List<Path> lockedPaths() {
        Set<Path> paths = new LinkedHashSet<>();
        for (Operation operation : operations) {
            Path target = operation.target();
            paths.add(target);
            if (operation instanceof Operation.Move move) {
                paths.add(move.source());
            }
            if (backup) {
                paths.add(operation instanceof Operation.Delete ? Names.deletedBackupOf(target)
                        : Names.backupOf(target));
            }
        }
        return new ArrayList<>(paths);
    }

    private ObjectNode header() {
        return record("header").put("magic", JournalRecords.MAGIC).put("version", JournalRecords.VERSION)
                .put("id", id).put("tag", tag).put("filesystem", cfs.fs().getUri().toString())
                .put("created", Instant.now().toString()).put("pid", ProcessHandle.current().pid())
                .put("operations", operations.size());
    }

    private ObjectNode commitRecord(Journal journal, Map<Path, Staging.Written> staged) {
        ObjectNode commit = record("commit").put("intentSha", journal.intentSha());
        ArrayNode entries = commit.putArray("staged");
        staged.forEach((path, written) -> entries.addObject().put("path", path.toString())
                .put("sha256", written.sha256()).put("size", written.size()));
        return commit;
    }

    /**
     * The renames grouped by operation, in order within each group. Should two operations name a
     * common path (which the transaction's checks exclude), everything stays one chain, in order.
     */
    private static List<List<Step.Rename>> chainsByOperation(List<Step.Rename> renames) {
        Map<Integer, List<Step.Rename>> byOp = new LinkedHashMap<>();
        Map<Path, Integer> owner = new HashMap<>();
        for (Step.Rename rename : renames) {
            for (Path path : List.of(rename.from(), rename.to())) {
                Integer other = owner.putIfAbsent(path, rename.op());
                if (other != null && other != rename.op()) {
                    return List.of(renames);
                }
            }
            byOp.computeIfAbsent(rename.op(), op -> new ArrayList<>()).add(rename);
        }
        return new ArrayList<>(byOp.values());
    }

    private static List<Step.Rename> renamesOf(List<Step> steps) {
        List<Step.Rename> renames = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename rename) {
                renames.add(rename);
            }
        }
        return renames;
    }

    private static ObjectNode record(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }
}
