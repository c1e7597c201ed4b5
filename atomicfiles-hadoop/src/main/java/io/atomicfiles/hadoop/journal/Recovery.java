package io.atomicfiles.hadoop.journal;

import io.atomicfiles.RecoveryReport;
import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.ClusterLocks;
import io.atomicfiles.hadoop.internal.Names;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Finishes what crashed (or fenced-off) cluster transactions left, from any host: for each
 * journal whose owner is gone, roll back if the commit point was not reached, roll forward if it
 * was, or only clean up if the transaction had finished.
 *
 * <p>A journal's owner is gone when its ZooKeeper lock is free (with ZooKeeper), or when the
 * NameNode no longer sees its lease renewed (without: at least a minute after the owner died,
 * HDFS's soft lease limit). Before reading a journal, recovery takes it over ({@link Fence}), so
 * the old owner can no longer append to it. Every step is idempotent and the journal is deleted
 * last, so a recovery interrupted by a crash is simply run again, from any host.
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    /** How long a recovery waits for the NameNode to recover a journal's lease. */
    static final Duration LEASE_WAIT = Duration.ofMinutes(2);

    private final ClusterFs cfs;
    private final ClusterLocks locks;

    public Recovery(ClusterFs cfs, ClusterLocks locks) {
        this.cfs = cfs;
        this.locks = locks;
    }

    /** Recovers every abandoned journal in {@code journalDir} (qualified). */
    public RecoveryReport recoverAll(Path journalDir) throws IOException {
        return recoverAll(journalDir, null);
    }

    /**
     * Like {@link #recoverAll(Path)}, skipping the journal of {@code ownId}. A journal that cannot
     * be recovered is reported in {@code skipped} with the reason, and the others are still done.
     */
    RecoveryReport recoverAll(Path journalDir, String ownId) throws IOException {
        List<RecoveryReport.Transaction> recovered = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        FileStatus[] entries;
        try {
            entries = cfs.fs().listStatus(journalDir);
        } catch (FileNotFoundException e) {
            entries = new FileStatus[0];
        }
        List<Path> journals = new ArrayList<>();
        for (FileStatus entry : entries) {
            if (entry.isFile() && entry.getPath().getName().endsWith(JournalRecords.SUFFIX)) {
                journals.add(cfs.qualify(entry.getPath()));
            }
        }
        journals.sort(null);
        for (Path journal : journals) {
            String name = journal.getName();
            if (ownId != null && name.equals(ownId + JournalRecords.SUFFIX)) {
                continue;
            }
            try {
                RecoveryReport.Transaction result = recoverOne(journal);
                if (result == null) {
                    skipped.add(name);
                } else {
                    recovered.add(result);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not recover transaction journal {}: {}", journal, e.toString());
                skipped.add(name + " (could not be recovered: " + e.getMessage() + ")");
            }
        }
        return new RecoveryReport(Names.display(journalDir), recovered, skipped);
    }

    /** Recovers one journal, or returns null when its owner still runs (or it is gone). */
    RecoveryReport.Transaction recoverOne(Path journal) throws IOException {
        try (ClusterLocks.Held ownerLock = locks.tryAcquire(journal, "recover")) {
            if (ownerLock == null) {
                return null; // its owner holds its ZooKeeper lock: it runs
            }
            Fence fence = Fence.take(cfs, journal, locks.enabled(), LEASE_WAIT);
            if (fence == null) {
                return null;
            }
            boolean forget = false;
            try {
                byte[] bytes;
                try {
                    bytes = readAll(journal);
                } catch (FileNotFoundException gone) {
                    return null;
                }
                JournalRecords.Contents contents = JournalRecords.read(bytes);
                RecoveryReport.Transaction result = finish(journal, contents, true);
                if (result.conflicts().stream().noneMatch(c -> c.startsWith("journal"))) {
                    fence.closeAndForget();
                    forget = true;
                    cfs.deleteFile(journal);
                }
                LOG.info("recovered transaction {}: {}", result.id(), result.outcome());
                return result;
            } finally {
                if (!forget) {
                    fence.close();
                }
            }
        }
    }

    private byte[] readAll(Path journal) throws IOException {
        try (InputStream in = cfs.fs().open(journal)) {
            return in.readAllBytes();
        }
    }

    /**
     * Decides and carries out the fate of one transaction, under its files' locks.
     *
     * @param takeLocks false when the caller holds the files' locks already (a transaction
     *     settling its own journal)
     */
    @SuppressWarnings("try") // the locks are held for the block's duration, never referenced
    RecoveryReport.Transaction finish(Path journal, JournalRecords.Contents contents, boolean takeLocks)
            throws IOException {
        String id = contents.id() != null ? contents.id() : journal.getName().replace(JournalRecords.SUFFIX, "");
        List<String> actions = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        if (contents.header() == null || !contents.planned()) {
            // The intent never became durable, so staging never began: only the journal exists.
            new StepRunner(cfs, contents.steps(), false, Map.of(), actions, conflicts).cleanUp(contents.steps(), true);
            return new RecoveryReport.Transaction(id, RecoveryReport.Outcome.DISCARDED, actions, conflicts);
        }
        if (contents.commit() != null && !contents.commitValid()) {
            conflicts.add("journal " + journal + " has a commit record that does not seal its intent;"
                    + " left for inspection, no file touched");
            return new RecoveryReport.Transaction(id, RecoveryReport.Outcome.DISCARDED, actions, conflicts);
        }
        try (ClusterLocks.Held held = takeLocks ? locks.acquire(userPaths(contents.steps()), LOCK_WAIT, "recover")
                : null) {
            StepRunner runner = new StepRunner(cfs, contents.steps(), true, stagedSha(contents), actions, conflicts);
            List<Step.Rename> renames = renames(contents.steps());
            RecoveryReport.Outcome outcome;
            if (contents.commit() == null) {
                // Before the commit point nothing was renamed: only the hidden names go.
                outcome = RecoveryReport.Outcome.ROLLED_BACK;
            } else if (!contents.done()) {
                for (Step.Rename rename : renames) {
                    runner.redo(rename);
                }
                outcome = RecoveryReport.Outcome.ROLLED_FORWARD;
            } else {
                outcome = RecoveryReport.Outcome.CLEANED_UP;
            }
            StepRunner.syncFolders(cfs, StepRunner.foldersOf(contents.steps()));
            runner.cleanUp(contents.steps(), outcome == RecoveryReport.Outcome.ROLLED_BACK);
            return new RecoveryReport.Transaction(id, outcome, actions, conflicts);
        }
    }

    static Map<Path, String> stagedSha(JournalRecords.Contents contents) {
        Map<Path, String> staged = new HashMap<>();
        if (contents.commit() != null) {
            for (JsonNode entry : contents.commit().path("staged")) {
                staged.put(new Path(entry.path("path").asString()), entry.path("sha256").asString());
            }
        }
        return staged;
    }

    private static List<Step.Rename> renames(List<Step> steps) {
        List<Step.Rename> renames = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename rename) {
                renames.add(rename);
            }
        }
        return renames;
    }

    /** The user-visible files a transaction touches: the ones whose locks recovery must hold. */
    static List<Path> userPaths(List<Step> steps) {
        Set<Path> hidden = new LinkedHashSet<>();
        Set<Path> visible = new LinkedHashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.Stage stage) {
                hidden.add(stage.path());
                visible.add(stage.target());
            } else if (step instanceof Step.Keep keep) {
                hidden.add(keep.path());
            } else if (step instanceof Step.Rename rename && rename.trash()) {
                hidden.add(rename.to());
            }
        }
        for (Step step : steps) {
            if (step instanceof Step.Rename rename) {
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
