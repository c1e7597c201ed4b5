package io.atomicfiles.hadoop.journal;

import io.atomicfiles.Durability;
import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.Sha256;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A running transaction's journal, {@code <journalDir>/<id>.journal} on the cluster, held open
 * for writing from its creation to its deletion.
 *
 * <p>Holding it open is what fences this client: on HDFS the NameNode gives the single-writer
 * lease of the file to this client alone, and a recovering client first takes the lease away
 * ({@code recoverLease}); from then on every append of this client (its commit record above all)
 * fails, so a client that lost its host's lock, or was taken for dead, can never record a commit
 * point that a recovery did not see. On the local filesystem an OS lock on
 * {@code <id>.journal.lock} plays that part (one host).
 */
final class Journal implements Closeable {
    private final ClusterFs cfs;
    private final Path path;
    private final FSDataOutputStream out;
    private final LocalLock localLock;
    private final Durability durability;
    private String intentSha;

    private Journal(ClusterFs cfs, Path path, FSDataOutputStream out, LocalLock localLock, Durability durability) {
        this.cfs = cfs;
        this.path = path;
        this.out = out;
        this.localLock = localLock;
        this.durability = durability;
    }

    /** Creates the journal, new (a journal of the same id in progress fails it), and holds it. */
    static Journal create(ClusterFs cfs, Path dir, String id, Durability durability) throws IOException {
        Path path = new Path(dir, id + JournalRecords.SUFFIX);
        LocalLock localLock = cfs.kind() == ClusterFs.Kind.LOCAL ? LocalLock.lock(cfs, path) : null;
        try {
            FSDataOutputStream out = cfs.createNew(path, true);
            return new Journal(cfs, path, out, localLock, durability);
        } catch (IOException | RuntimeException e) {
            if (localLock != null) {
                localLock.release();
            }
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /**
     * Writes the intent (header, steps, {@code planned}) and forces it: from here on a crash
     * leaves a journal naming every hidden file the transaction may create.
     */
    void writeIntent(ObjectNode header, List<Step> steps) throws IOException {
        StringBuilder text = new StringBuilder(JournalRecords.line(header));
        for (Step step : steps) {
            text.append(JournalRecords.line(step.toJson()));
        }
        text.append(JournalRecords.line(JsonNodeFactory.instance.objectNode().put("type", "planned")
                .put("steps", steps.size())));
        byte[] intent = text.toString().getBytes(StandardCharsets.UTF_8);
        intentSha = Sha256.of(intent);
        out.write(intent);
        force(true);
    }

    String intentSha() {
        return intentSha;
    }

    /** Appends a marker record; {@code durable} forces it (else it is only flushed to the DataNodes). */
    void mark(ObjectNode record, boolean durable) throws IOException {
        out.write(JournalRecords.line(record).getBytes(StandardCharsets.UTF_8));
        force(durable);
    }

    private void force(boolean durable) throws IOException {
        if (durable && durability.syncsFile()) {
            cfs.hsync(out, path);
        } else {
            out.hflush();
        }
    }

    /** Closes the journal (gives up the lease): the transaction is over. */
    @Override
    public void close() throws IOException {
        try {
            out.close();
        } finally {
            if (localLock != null) {
                localLock.release();
            }
        }
    }

    /** Closes and deletes the journal. */
    void delete() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            // A stream that cannot close any more (its lease taken): the journal still goes.
        }
        cfs.deleteFile(path);
        if (localLock != null) {
            localLock.releaseAndDelete();
        }
    }
}
