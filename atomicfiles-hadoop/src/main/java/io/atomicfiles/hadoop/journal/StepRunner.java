package io.atomicfiles.hadoop.journal;

import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.Parallel;
import io.atomicfiles.hadoop.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathIsNotEmptyDirectoryException;

/**
 * Redo and clean-up of journal steps (a cluster transaction never undoes a rename: past its
 * commit point it only goes forward). Every method looks at what is on the filesystem and
 * does only what is still missing, so a crash at any point, followed by the same call again,
 * ends in the same place. Every rename is one atomic {@code rename(from, to, OVERWRITE)}.
 */
final class StepRunner {
    private final ClusterFs cfs;
    private final boolean checked;
    private final Map<Path, String> stagedSha;
    private final List<String> actions;
    private final List<String> conflicts;

    /**
     * @param checked whether to compare files with the states the journal recorded before
     *     touching them (recovery: someone may have changed them since)
     * @param stagedSha the SHA-256 of each staged file, from the commit record
     */
    StepRunner(ClusterFs cfs, List<Step> steps, boolean checked, Map<Path, String> stagedSha, List<String> actions,
            List<String> conflicts) {
        this.cfs = cfs;
        this.checked = checked;
        this.stagedSha = stagedSha;
        this.actions = Collections.synchronizedList(actions);
        this.conflicts = Collections.synchronizedList(conflicts);
    }

    /**
     * Makes {@code from → to} true: renames when it has not happened yet. Checked, it refuses
     * (and reports) a rename that would clobber someone else's change or publish a staged file
     * whose bytes are not the committed ones.
     */
    void redo(Step.Rename step) throws IOException {
        if (!checked) {
            // The running transaction holds every lock and made every name itself: no looking first.
            cfs.replace(step.from(), step.to());
            return;
        }
        boolean fromExists = cfs.exists(step.from());
        if (!fromExists) {
            if (!step.trash() && !cfs.exists(step.to())) {
                conflicts.add("neither " + step.from() + " nor " + step.to() + " exists: removed by someone else");
            }
            return; // renamed already
        }
        if (!safeToRename(step)) {
            return;
        }
        cfs.replace(step.from(), step.to());
        actions.add("renamed " + step.from().getName() + " to " + step.to());
    }

    /**
     * Deletes the transaction's hidden names that are still there: staged files, keeps and
     * trash. After a rollback, also the folders it created, if they are empty.
     */
    void cleanUp(List<Step> steps, boolean rolledBack) throws IOException {
        List<Path> keeps = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Keep keep) {
                keeps.add(keep.path());
            } else if (step instanceof Step.Stage stage) {
                others.add(stage.path());
            } else if (step instanceof Step.Rename rename && rename.trash()) {
                others.add(rename.to());
            }
        }
        deleteAll(keeps);
        deleteAll(others);
        if (rolledBack) {
            List<Path> folders = new ArrayList<>();
            for (Step step : steps) {
                if (step instanceof Step.MakeFolder folder) {
                    folders.add(0, folder.dir());
                }
            }
            for (Path folder : folders) {
                try {
                    FileStatus status = cfs.statusOrNull(folder);
                    if (status != null && status.isDirectory() && cfs.fs().delete(folder, false)) {
                        actions.add("removed folder " + folder);
                    }
                } catch (PathIsNotEmptyDirectoryException e) {
                    // Someone else put a file there meanwhile: the folder is theirs now too.
                } catch (org.apache.hadoop.ipc.RemoteException e) {
                    if (!(e.unwrapRemoteException() instanceof PathIsNotEmptyDirectoryException)) {
                        throw e;
                    }
                } catch (IOException e) {
                    if (e.getMessage() == null || !e.getMessage().contains("not empty")) {
                        throw e;
                    }
                }
            }
        }
    }

    /** After every rename of a transaction: only keeps not renamed away, and trash, remain. */
    void cleanUpAfterCommit(List<Step> steps) throws IOException {
        Set<Path> renamedAway = new HashSet<>();
        List<Path> trash = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Rename rename) {
                renamedAway.add(rename.from());
                if (rename.trash()) {
                    trash.add(rename.to());
                }
            }
        }
        List<Path> keeps = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.Keep keep && !renamedAway.contains(keep.path())) {
                keeps.add(keep.path());
            }
        }
        deleteAll(keeps);
        deleteAll(trash);
    }

    private void deleteAll(List<Path> leftovers) throws IOException {
        Parallel.forEach(leftovers, leftover -> {
            if (cfs.deleteFile(leftover)) {
                actions.add("deleted " + leftover);
            }
        });
    }

    private boolean safeToRename(Step.Rename step) throws IOException {
        String committed = stagedSha.get(step.from());
        if (committed != null && !holds(step.from(), committed)) {
            conflicts.add("staged file " + step.from() + " does not hold the committed bytes; " + step.to()
                    + " left as it is");
            return false;
        }
        if (step.fromSha() != null && !holds(step.from(), step.fromSha())) {
            conflicts.add(step.from() + " was changed by someone else since the transaction began; left as it is");
            return false;
        }
        if (step.toBefore() != null && !step.toBefore().equals(state(step.to(), step.toBefore()))) {
            conflicts.add(step.to() + " was changed by someone else since the transaction began (expected "
                    + step.toBefore() + "); not overwritten");
            return false;
        }
        return true;
    }

    /** Whether {@code file} has the recorded state: a SHA-256, or on HDFS an identity (see {@link ClusterFs#identity}). */
    private boolean holds(Path file, String state) throws IOException {
        return state == null || state.equals(ClusterFs.isIdentity(state) ? cfs.identityOrNull(file)
                : sha256IfExists(file));
    }

    /** The state of {@code file} now, in the form {@code like} was recorded in. */
    private Step.FileState state(Path file, Step.FileState like) throws IOException {
        String now = ClusterFs.isIdentity(like.sha256()) ? cfs.identityOrNull(file) : sha256IfExists(file);
        return now == null ? Step.FileState.ABSENT : new Step.FileState(true, now);
    }

    private String sha256IfExists(Path file) throws IOException {
        try (InputStream in = cfs.fs().open(file)) {
            return Sha256.of(in);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    /** Every folder in which the steps create, rename or remove a name. */
    static Set<Path> foldersOf(Collection<Step> steps) {
        Set<Path> folders = new LinkedHashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.MakeFolder m) {
                if (m.dir().getParent() != null) {
                    folders.add(m.dir().getParent());
                }
            } else if (step instanceof Step.Stage s) {
                folders.add(s.path().getParent());
            } else if (step instanceof Step.Keep k) {
                folders.add(k.path().getParent());
            } else {
                Step.Rename r = (Step.Rename) step;
                folders.add(r.from().getParent());
                folders.add(r.to().getParent());
            }
        }
        return folders;
    }

    /** Forces each folder once (the local filesystem; nothing to do on HDFS). */
    static void syncFolders(ClusterFs cfs, Collection<Path> folders) throws IOException {
        if (cfs.kind() != ClusterFs.Kind.LOCAL) {
            return;
        }
        Parallel.forEach(new ArrayList<>(folders), folder -> {
            FileStatus status = cfs.statusOrNull(folder);
            if (status != null && status.isDirectory()) {
                cfs.syncFolder(folder);
            }
        });
    }
}
