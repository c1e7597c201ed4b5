package io.atomicfiles.hadoop;

import io.atomicfiles.AtomicWriteException;
import io.atomicfiles.ContentType;
import io.atomicfiles.hadoop.internal.Content;
import io.atomicfiles.hadoop.internal.Failures;
import io.atomicfiles.hadoop.internal.Names;
import io.atomicfiles.hadoop.journal.Operation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Several changes to files on the cluster that happen together or not at all, even when the
 * client's host dies; any host can finish or undo the work of a host that died.
 *
 * <pre>{@code
 * try (ClusterTransaction tx = files.transaction()) {
 *     tx.addWrite(new Path("/data/part-0.json"), part0, ContentType.JSON);
 *     tx.addWrite(new Path("/data/_MANIFEST"), manifest, ContentType.TEXT);
 *     tx.addDelete(new Path("/data/old.json"));
 *     tx.commit();          // all or nothing
 * }                         // close() without commit() changes nothing
 * }</pre>
 *
 * <p>Adding an operation checks it at once (content serialised and validated, source present)
 * and touches no file. {@link #commit()} stages every new content under a hidden name beside
 * its target, records a commit point in a journal on the cluster, and renames everything into
 * place; a crash before the commit point leaves every file as it was, a crash after it is
 * finished by {@link ClusterFiles#recover()} from any host (and by the next transaction using the
 * same journal folder). With ZooKeeper configured, every file is locked across hosts for the
 * transaction's duration. A transaction is for one thread.
 */
public final class ClusterTransaction implements AutoCloseable {
    private enum State { OPEN, COMMITTED, ROLLED_BACK }

    private final ClusterFiles files;
    private final String id;
    private final List<Operation> operations = new ArrayList<>();
    private final Map<Path, String> claimed = new HashMap<>();
    private State state = State.OPEN;

    ClusterTransaction(ClusterFiles files, String id) {
        this.files = files;
        this.id = id;
    }

    /** This transaction's id: its journal is {@code <journalDir>/<id>.journal}. */
    public String id() {
        return id;
    }

    /** {@link #addWrite(Path, Object, ContentType, Object)} without a schema. */
    public ClusterTransaction addWrite(Path path, Object content, ContentType type) throws IOException {
        return addWrite(path, content, type, null);
    }

    /**
     * Adds writing {@code content} to {@code path}: JSON and YAML take any Jackson-serialisable
     * value, TEXT a {@link CharSequence} (UTF-8), BYTES a {@code byte[]}. The content is
     * serialised (and, given a schema, validated) now.
     *
     * @throws io.atomicfiles.ValidationException when it violates {@code schema}; the transaction is unchanged
     */
    public ClusterTransaction addWrite(Path path, Object content, ContentType type, Object schema)
            throws IOException {
        requireOpen();
        Path target = files.qualify(path);
        byte[] bytes = Content.serialise(target, content, type, schema);
        claimWithBackup(target, "write");
        operations.add(new Operation.Write(target, bytes));
        return this;
    }

    /** Adds copying {@code source} (read at commit) to {@code target}. */
    public ClusterTransaction addCopy(Path source, Path target) throws IOException {
        requireOpen();
        Path from = existingFile(source, "copy");
        Path to = files.qualify(target);
        claimWithBackup(to, "copy");
        operations.add(new Operation.Copy(from, to));
        return this;
    }

    /** Adds moving {@code source} to {@code target} (one atomic rename). */
    public ClusterTransaction addMove(Path source, Path target) throws IOException {
        requireOpen();
        Path from = existingFile(source, "move");
        Path to = files.qualify(target);
        claim(from, "move");
        claimWithBackup(to, "move");
        operations.add(new Operation.Move(from, to));
        return this;
    }

    /** Adds deleting {@code path}, which must exist; with backups on it is kept as {@code NAME.deleted_backup}. */
    public ClusterTransaction addDelete(Path path) throws IOException {
        requireOpen();
        Path target = existingFile(path, "delete");
        claim(target, "delete");
        if (files.options().backup()) {
            claim(Names.deletedBackupOf(target), "deleted backup of " + target);
        }
        operations.add(new Operation.Delete(target));
        return this;
    }

    /** The operations added so far, as "write hdfs://…/a.json", …. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        operations.forEach(o -> lines.add(o.describe()));
        return lines;
    }

    /**
     * Applies every operation, all or nothing. Does nothing for an empty transaction.
     *
     * <p>Three outcomes: it returns, and every operation is applied; it throws
     * {@link AtomicWriteException}, and every file is as it was; or it throws
     * {@link CommitPendingException}: the commit point was reached, but this client lost its
     * ZooKeeper session or a rename failed after it; the transaction is committed and
     * {@link ClusterFiles#recover()} on any host (or the next transaction) finishes it. Unlike
     * core's transactions, a cluster transaction never undoes work past its commit point: an undo
     * would need a copy of every replaced file (HDFS has no hard links).
     *
     * @throws IllegalStateException when already committed or rolled back
     */
    public void commit() throws IOException {
        requireOpen();
        if (operations.isEmpty()) {
            state = State.COMMITTED;
            return;
        }
        try {
            files.runTransaction(id, List.copyOf(operations));
            state = State.COMMITTED;
        } catch (CommitPendingException e) {
            state = State.COMMITTED;
            throw e;
        } catch (IOException | RuntimeException e) {
            state = State.ROLLED_BACK;
            throw e;
        }
    }

    /** Abandons an uncommitted transaction: nothing was touched, nothing will be. Idempotent. */
    public void rollback() {
        if (state == State.COMMITTED) {
            throw new IllegalStateException("transaction " + id + " is committed; its previous contents are in the"
                    + " .backup and .deleted_backup files");
        }
        state = State.ROLLED_BACK;
        operations.clear();
    }

    /** Rolls back an uncommitted transaction; does nothing after commit. */
    @Override
    public void close() {
        if (state == State.OPEN) {
            rollback();
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("transaction " + id + " is already "
                    + (state == State.COMMITTED ? "committed" : "rolled back"));
        }
    }

    private Path existingFile(Path path, String operation) throws IOException {
        Path file = files.qualify(path);
        FileStatus status;
        try {
            status = files.fs().statusOrNull(file);
        } catch (IOException e) {
            throw Failures.failed(operation, file, "check plan", e);
        }
        if (status == null) {
            throw new AtomicWriteException(operation + " " + file + " failed: the file does not exist",
                    new java.nio.file.NoSuchFileException(file.toString()),
                    Failures.context(operation, file, "check plan"));
        }
        if (!status.isFile()) {
            throw new AtomicWriteException(operation + " " + file + " failed: not a regular file", null,
                    Failures.context(operation, file, "check plan"));
        }
        return file;
    }

    /** One operation per file: its outcome would otherwise depend on their order. */
    private void claim(Path path, String operation) throws AtomicWriteException {
        String earlier = claimed.putIfAbsent(path, operation);
        if (earlier != null) {
            throw new AtomicWriteException("transaction " + id + ": " + operation + " " + path + " conflicts with the"
                    + " earlier " + earlier + " of the same file; one operation per file", null,
                    Map.of("operation", operation, "path", path.toString(), "transactionId", id));
        }
    }

    private void claimWithBackup(Path target, String operation) throws AtomicWriteException {
        claim(target, operation);
        if (files.options().backup()) {
            claim(Names.backupOf(target), "backup of " + target);
        }
    }
}
