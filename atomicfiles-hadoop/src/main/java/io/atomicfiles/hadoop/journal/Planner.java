package io.atomicfiles.hadoop.journal;

import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.Names;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Turns the caller's operations into the {@link Step}s of the journal, choosing every hidden
 * name up front (so the journal names every file the transaction may create before it creates
 * any) and recording the state of every target it will replace (so recovery can tell the
 * transaction's own work from someone else's change).
 *
 * <p>Hidden names are {@code .NAME.tx-<tag>-<op>.<role>} beside the file they belong to; the tag
 * is random per transaction and recorded in the journal's header.
 */
final class Planner {
    private final String tag;
    private final boolean backup;
    private final ClusterFs cfs;
    private final Map<Path, Step.FileState> states;
    private final List<Step> folders = new ArrayList<>();
    private final List<Step> stages = new ArrayList<>();
    private final List<Step> keeps = new ArrayList<>();
    private final List<Step> renames = new ArrayList<>();
    private final Set<Path> plannedFolders = new LinkedHashSet<>();
    private final Set<Path> existingFolders = new HashSet<>();

    private Planner(String tag, boolean backup, ClusterFs cfs, Map<Path, Step.FileState> states) {
        this.tag = tag;
        this.backup = backup;
        this.cfs = cfs;
        this.states = states;
    }

    /**
     * The steps for {@code operations}, in journal order: folders, stages, keeps, then renames.
     *
     * @param states the current state of every path the operations name (see {@link #pathsToLookAt})
     */
    static List<Step> plan(String tag, boolean backup, ClusterFs cfs, List<Operation> operations,
            Map<Path, Step.FileState> states) throws IOException {
        Planner planner = new Planner(tag, backup, cfs, states);
        for (int op = 0; op < operations.size(); op++) {
            planner.add(op, operations.get(op));
        }
        List<Step> steps = new ArrayList<>(planner.folders);
        steps.addAll(planner.stages);
        steps.addAll(planner.keeps);
        steps.addAll(planner.renames);
        return steps;
    }

    /**
     * The paths whose state the plan needs: targets and move sources. (Not the backup names: a
     * rename over {@code NAME.backup} needs no copy of the backup it replaces, since a cluster
     * transaction never undoes a rename.)
     */
    static Set<Path> pathsToLookAt(List<Operation> operations, boolean backup) {
        Set<Path> paths = new LinkedHashSet<>();
        for (Operation operation : operations) {
            paths.add(operation.target());
            if (operation instanceof Operation.Move move) {
                paths.add(move.source());
            }
        }
        return paths;
    }

    private void add(int op, Operation operation) throws IOException {
        if (operation instanceof Operation.Write) {
            replaceWithStaged(op, operation.target(), null);
        } else if (operation instanceof Operation.Copy copy) {
            replaceWithStaged(op, copy.target(), copy.source());
        } else if (operation instanceof Operation.Move move) {
            // One filesystem: one rename carries the file over; the target's old content is displaced.
            planFolders(move.target().getParent());
            replace(op, move.source(), move.target(), state(move.source()).sha256());
        } else {
            Path target = operation.target();
            String sha = state(target).sha256();
            if (backup) {
                renames.add(new Step.Rename(op, target, Names.deletedBackupOf(target), null, sha, null, false));
            } else {
                renames.add(new Step.Rename(op, target, Names.hidden(target, tag, op, "deleted"), null, sha,
                        Step.FileState.ABSENT, true));
            }
        }
    }

    private void replaceWithStaged(int op, Path target, Path source) throws IOException {
        planFolders(target.getParent());
        Path staged = Names.hidden(target, tag, op, "stage");
        stages.add(new Step.Stage(op, staged, target, source));
        replace(op, staged, target, null);
    }

    /**
     * The rename of {@code from} over {@code target}. With backups on and the target there, a
     * copy of its content is kept under a hidden name first (HDFS has no hard links), which
     * becomes {@code NAME.backup} by a second rename right after the first. Nothing else is
     * copied: past its commit point a cluster transaction only goes forward, so neither the
     * replaced target (backups off) nor a replaced {@code NAME.backup} needs a copy for an undo
     * (each such copy was a read, a forced write and a delete per file).
     */
    private void replace(int op, Path from, Path target, String fromSha) throws IOException {
        Step.FileState before = state(target);
        if (!before.exists() || !backup) {
            renames.add(new Step.Rename(op, from, target, null, fromSha, before, false));
            return;
        }
        Path kept = Names.hidden(target, tag, op, "keep-backup");
        keeps.add(new Step.Keep(op, kept, target));
        renames.add(new Step.Rename(op, from, target, kept, fromSha, before, false));
        renames.add(new Step.Rename(op, kept, Names.backupOf(target), null, null, null, false));
    }

    private void planFolders(Path dir) throws IOException {
        if (existingFolders.contains(dir)) {
            return;
        }
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !plannedFolders.contains(d); d = d.getParent()) {
            FileStatus status = cfs.statusOrNull(d);
            if (status != null && status.isDirectory()) {
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

    private Step.FileState state(Path path) {
        Step.FileState state = states.get(path);
        if (state == null) {
            throw new IllegalStateException("no state looked up for " + path);
        }
        return state;
    }
}
