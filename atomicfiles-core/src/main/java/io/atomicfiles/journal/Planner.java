package io.atomicfiles.journal;

import io.atomicfiles.internal.Backups;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.internal.Parallel;
import io.atomicfiles.internal.Stat;
import io.atomicfiles.internal.TxNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the caller's operations into the {@link Step}s of the journal, choosing every hidden
 * name up front (so the journal names every file the transaction may create before it creates
 * any) and recording the state of every target the transaction will replace (so recovery can
 * tell the transaction's own work from someone else's change).
 *
 * <p>Hidden names are {@code .NAME.tx-<tag>-<op>.<role>} beside the file they belong to
 * ({@link TxNames}), where the tag is random and recorded in the journal's header: nobody can
 * predict (and plant a file at) a name before the transaction creates it, and recovery knows
 * exactly which names are the transaction's own. No role ends in a suffix users clean up by.
 */
final class Planner {
    static final String DELETED_BACKUP_SUFFIX = ".deleted_backup";
    /** The roles of hidden names: {@link Step.Stage} files, {@link Step.Keep} links, trash. */
    static final String STAGE = "stage";
    static final String KEEP_FOR_BACKUP = "keep";
    static final String UNDO = "undo";
    static final String BACKUP_UNDO = "bundo";
    static final String DELETED_BACKUP_UNDO = "dbundo";
    static final String MOVED = "moved";
    static final String DELETED = "deleted";

    private final String tag;
    private final boolean backup;
    private final List<Step> folders = new ArrayList<>();
    private final List<Step> stages = new ArrayList<>();
    private final List<Step> keeps = new ArrayList<>();
    private final List<Step> renames = new ArrayList<>();
    private final Set<Path> plannedFolders = new LinkedHashSet<>();
    /** Folders seen to exist while planning (the transaction holds its files' locks meanwhile). */
    private final Set<Path> existingFolders = new java.util.HashSet<>();

    /** How many files {@link #readStates} reads at the same time. */
    private static final int STATE_READERS = 4;
    /** The state of each file {@link #readStates} read, by path. */
    private final Map<Path, Step.FileState> states = new ConcurrentHashMap<>();

    /** Folders the transaction's locks made before planning: planned as made by the transaction. */
    private final Set<Path> madeByLocks;

    private Planner(String tag, boolean backup, Set<Path> madeByLocks) {
        this.tag = tag;
        this.backup = backup;
        this.madeByLocks = madeByLocks;
    }

    /**
     * The steps for {@code operations}, in journal order: folders, stages, keeps, then renames.
     *
     * @param tag the transaction's random tag ({@link TxNames#newTag}), recorded in its journal
     * @param madeByLocks folders that taking the transaction's locks made (a lock file lives in
     *     its file's folder): they exist now, but are planned as folders the transaction makes, so
     *     that a rollback, even by recovery after a crash, removes them
     */
    static List<Step> plan(String tag, boolean backup, List<Operation> operations, Set<Path> madeByLocks)
            throws IOException {
        Planner planner = new Planner(tag, backup, madeByLocks);
        planner.readStates(operations);
        for (int op = 0; op < operations.size(); op++) {
            planner.add(op, operations.get(op));
        }
        List<Step> steps = new ArrayList<>(planner.folders);
        steps.addAll(planner.stages);
        steps.addAll(planner.keeps);
        steps.addAll(planner.renames);
        return steps;
    }

    private void add(int op, Operation operation) throws IOException {
        if (operation instanceof Operation.Write) {
            replaceWithStaged(op, operation.target(), null);
        } else if (operation instanceof Operation.Copy) {
            replaceWithStaged(op, operation.target(), ((Operation.Copy) operation).source());
        } else if (operation instanceof Operation.Move) {
            Operation.Move move = (Operation.Move) operation;
            if (sameFileStore(move.source(), move.target())) {
                planFolders(move.target().getParent());
                // One rename carries the file over; the target's old content is displaced.
                replace(op, move.source(), move.target(), sha256(move.source()));
            } else {
                // No rename crosses filesystems: stage a copy beside the target, then put the
                // source aside under a hidden name (deleted when done, renamed back on undo).
                replaceWithStaged(op, move.target(), move.source());
                renames.add(new Step.Rename(op, move.source(), hidden(move.source(), op, MOVED), null, null,
                        sha256(move.source()), Step.FileState.ABSENT, true));
            }
        } else {
            Path target = operation.target();
            String sha = sha256(target);
            if (backup) {
                Path deletedBackup = target.resolveSibling(target.getFileName() + DELETED_BACKUP_SUFFIX);
                Step.FileState old = state(deletedBackup);
                renames.add(new Step.Rename(op, target, deletedBackup,
                        keepIfExists(op, deletedBackup, old, DELETED_BACKUP_UNDO), old.sha256(), sha, null, false));
            } else {
                renames.add(new Step.Rename(op, target, hidden(target, op, DELETED), null, null, sha,
                        Step.FileState.ABSENT, true));
            }
        }
    }

    /** Stage new content beside {@code target}, then replace the target with it. */
    private void replaceWithStaged(int op, Path target, Path source) throws IOException {
        planFolders(target.getParent());
        Path staged = hidden(target, op, STAGE);
        stages.add(new Step.Stage(op, staged, target, source));
        replace(op, staged, target, null);
    }

    /**
     * The rename of {@code from} over {@code target}. When the target exists, its content is
     * kept under a hidden name first, so the rename can be undone; with backups on, that same
     * keep becomes {@code NAME.backup} by a second rename right after the first (one link serves
     * both, and undoing the second gives the keep back to the first).
     */
    private void replace(int op, Path from, Path target, String fromSha) throws IOException {
        Step.FileState before = state(target);
        if (!before.exists()) {
            renames.add(new Step.Rename(op, from, target, null, null, fromSha, before, false));
            return;
        }
        Path kept = hidden(target, op, backup ? KEEP_FOR_BACKUP : UNDO);
        keeps.add(new Step.Keep(op, kept, target));
        renames.add(new Step.Rename(op, from, target, kept, before.sha256(), fromSha, before, false));
        if (backup) {
            // No fromSha: the keep is a hard link of the target's old file, so an edit of that file
            // in place (after a crash, before recovery) changes the keep too; it then goes to
            // NAME.backup as it is, as a backup of what the user had (the edit itself is reported
            // by the redo of the rename above).
            Path backupFile = Backups.backupOf(target);
            Step.FileState oldBackup = state(backupFile);
            renames.add(new Step.Rename(op, kept, backupFile, keepIfExists(op, backupFile, oldBackup, BACKUP_UNDO),
                    oldBackup.sha256(), null, null, false));
        }
    }

    private Path keepIfExists(int op, Path file, Step.FileState state, String role) {
        if (!state.exists()) {
            return null;
        }
        Path keep = hidden(file, op, role);
        keeps.add(new Step.Keep(op, keep, file));
        return keep;
    }

    private void planFolders(Path dir) throws IOException {
        if (existingFolders.contains(dir)) {
            return; // many files of one folder: one look is enough
        }
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !plannedFolders.contains(d); d = d.getParent()) {
            if (Stat.isDirectory(d) && !madeByLocks.contains(d)) {
                existingFolders.add(d);
                break;
            }
            missing.add(0, d);
        }
        for (Path d : missing) {
            plannedFolders.add(d);
            folders.add(new Step.MakeFolder(d));
        }
    }

    /**
     * Reads, side by side on the library's threads, the SHA-256 of every file whose state the plan
     * records: each operation's target and (with backups) its {@code NAME.backup} or
     * {@code NAME.deleted_backup}, and each move's source. Each is an open, a read and a close
     * of a file, system calls that run side by side; read one after the other they were serial
     * work of the committing thread. The transaction holds the locks of all these files (taken
     * before planning), so what is read here is what the plan would have read a moment later.
     */
    private void readStates(List<Operation> operations) throws IOException {
        Parallel.forEach(operations, STATE_READERS, operation -> {
            Path target = operation.target();
            boolean targetExists = read(target).exists();
            if (operation instanceof Operation.Move) {
                read(((Operation.Move) operation).source());
            }
            // Exactly the files the plan reads, no more: a NAME.backup is looked at only when
            // its target exists (it is then kept as the undo of the backup's replacement).
            if (backup && operation instanceof Operation.Delete) {
                read(target.resolveSibling(target.getFileName() + DELETED_BACKUP_SUFFIX));
            } else if (backup && targetExists) {
                read(Backups.backupOf(target));
            }
        });
    }

    private Step.FileState read(Path file) throws IOException {
        String sha = Hashing.sha256HexIfExists(file);
        Step.FileState state = sha == null ? Step.FileState.ABSENT : new Step.FileState(true, sha);
        states.put(file, state);
        return state;
    }

    private Step.FileState state(Path file) throws IOException {
        Step.FileState read = states.get(file);
        if (read != null) {
            return read;
        }
        String sha = Hashing.sha256HexIfExists(file);
        return sha == null ? Step.FileState.ABSENT : new Step.FileState(true, sha);
    }

    /** The SHA-256 of a file that must exist (a move's source, a deleted file). */
    private String sha256(Path file) throws IOException {
        Step.FileState read = states.get(file);
        return read != null && read.exists() ? read.sha256() : Hashing.sha256Hex(file);
    }

    /** {@code .NAME.tx-<tag>-<op>.<role>} beside {@code file}. */
    private Path hidden(Path file, int op, String role) {
        return TxNames.of(file, tag, op, role);
    }

    /** Whether a rename can carry {@code source} to {@code target} (one filesystem). */
    static boolean sameFileStore(Path source, Path target) throws IOException {
        Path existing = target.getParent();
        while (existing != null && !Stat.isDirectory(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.getFileStore(source).equals(Files.getFileStore(existing));
    }
}
