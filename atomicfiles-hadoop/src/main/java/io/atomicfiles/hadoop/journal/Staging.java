package io.atomicfiles.hadoop.journal;

import io.atomicfiles.Durability;
import io.atomicfiles.IntegrityException;
import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.Failures;
import io.atomicfiles.hadoop.internal.Names;
import io.atomicfiles.hadoop.internal.Parallel;
import io.atomicfiles.hadoop.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Step 3 of a transaction: everything that writes data, before the commit point, under hidden
 * names only. If any of it fails, no target was touched.
 *
 * <p>Staged files and keeps are written side by side ({@link Parallel#WIDTH} at a time): each is a
 * NameNode round trip plus a DataNode pipeline forced at its close, and their latencies overlap.
 */
final class Staging {
    private final ClusterFs cfs;
    private final List<Operation> operations;
    private final Durability durability;
    /** The status of each existing target and source, as the plan found it (for permissions). */
    private final Map<Path, FileStatus> statuses;

    private Staging(ClusterFs cfs, List<Operation> operations, Durability durability,
            Map<Path, FileStatus> statuses) {
        this.cfs = cfs;
        this.operations = operations;
        this.durability = durability;
        this.statuses = statuses;
    }

    /** What a staged file holds, for the commit record. */
    record Written(long size, String sha256) {
    }

    /**
     * Makes the planned folders, writes every staged file (forced, read back) and every keep
     * (a forced copy of what a rename will displace).
     *
     * @return each staged file's size and SHA-256
     */
    static Map<Path, Written> run(ClusterFs cfs, List<Step> steps, List<Operation> operations, Durability durability,
            Map<Path, FileStatus> statuses) throws IOException {
        return new Staging(cfs, operations, durability, statuses).run(steps);
    }

    private Map<Path, Written> run(List<Step> steps) throws IOException {
        List<Step.Stage> stages = new ArrayList<>();
        List<Step.Keep> keeps = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Step.MakeFolder folder) {
                makeFolder(folder.dir());
            } else if (step instanceof Step.Stage stage) {
                stages.add(stage);
            } else if (step instanceof Step.Keep keep) {
                keeps.add(keep);
            }
        }
        List<Object> work = new ArrayList<>(stages);
        work.addAll(keeps);
        List<Written> results = Parallel.map(work, item -> item instanceof Step.Stage stage ? stage(stage)
                : keep((Step.Keep) item));
        Map<Path, Written> written = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            written.put(stages.get(i).path(), results.get(i));
        }
        return written;
    }

    private void makeFolder(Path dir) throws IOException {
        FileStatus status = cfs.statusOrNull(dir);
        if (status != null && !status.isDirectory()) {
            throw Failures.failed("transaction", dir, "create folder (a file has that name)", null);
        }
        if (status == null && !cfs.fs().mkdirs(dir)) {
            throw Failures.failed("transaction", dir, "create folder", null);
        }
    }

    /** One staged file: new, given its final permission, content streamed and hashed, forced, read back. */
    private Written stage(Step.Stage stage) throws IOException {
        Operation operation = operations.get(stage.op());
        try {
            Written written;
            FSDataOutputStream out = cfs.createNew(stage.path(), durability.syncsFile());
            try {
                MessageDigest digest = Sha256.digest();
                long size;
                OutputStream hashing = new DigestOutputStream(out, digest);
                if (stage.source() == null) {
                    byte[] content = ((Operation.Write) operation).content();
                    hashing.write(content);
                    size = content.length;
                } else {
                    try (InputStream in = cfs.fs().open(stage.source())) {
                        size = in.transferTo(hashing);
                    }
                }
                if (durability.syncsFile()) {
                    cfs.forcedByClose(out, stage.path());
                }
                written = new Written(size, HexFormat.of().formatHex(digest.digest()));
            } catch (IOException | RuntimeException | Error e) {
                ClusterFs.closeAfter(out, e);
                throw e;
            }
            out.close();
            String reread = sha256(stage.path());
            if (!reread.equals(written.sha256())) {
                throw new IntegrityException("transaction", Names.display(stage.target()), "staged file read back",
                        written.sha256(), reread);
            }
            giveFinalPermission(stage);
            return written;
        } catch (IOException e) {
            throw Failures.wrap("transaction", stage.target(), "stage " + operation.describe(), e);
        }
    }

    /** A forced copy of the current content of {@code keep.of()}. */
    private Written keep(Step.Keep keep) throws IOException {
        try (InputStream in = cfs.fs().open(keep.of())) {
            FSDataOutputStream out = cfs.createNew(keep.path(), durability.syncsFile());
            long size;
            try {
                size = in.transferTo(out);
                if (durability.syncsFile()) {
                    cfs.forcedByClose(out, keep.path());
                }
            } catch (IOException | RuntimeException | Error e) {
                ClusterFs.closeAfter(out, e);
                throw e;
            }
            out.close();
            return new Written(size, null);
        } catch (IOException e) {
            throw Failures.wrap("transaction", keep.of(), "keep the old content of " + keep.of(), e);
        }
    }

    /** The permission of the file replaced, else of the source (copy), else the default. */
    private void giveFinalPermission(Step.Stage stage) throws IOException {
        FileStatus replaced = statuses.get(stage.target());
        FileStatus model = replaced != null ? replaced : stage.source() != null ? cfs.statusOrNull(stage.source()) : null;
        if (model != null && !model.getPermission().equals(cfs.defaultFilePermission())) {
            cfs.fs().setPermission(stage.path(), model.getPermission());
        }
    }

    private String sha256(Path file) throws IOException {
        try (InputStream in = cfs.fs().open(file)) {
            return Sha256.of(in);
        }
    }
}
