package io.atomicfiles.hadoop;

import io.atomicfiles.ContentType;
import io.atomicfiles.IOConsumer;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.ValidationException;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.DataFormat;
import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.ClusterLocks;
import io.atomicfiles.hadoop.internal.ClusterWrite;
import io.atomicfiles.hadoop.internal.Content;
import io.atomicfiles.hadoop.internal.Failures;
import io.atomicfiles.hadoop.internal.Names;
import io.atomicfiles.hadoop.journal.Operation;
import io.atomicfiles.hadoop.journal.Recovery;
import io.atomicfiles.hadoop.journal.TransactionCommit;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * atomicfiles on a cluster: atomic writes, read-modify-write and multi-file transactions on HDFS
 * (or the local filesystem) through the Hadoop {@link FileSystem} API, with cross-host locks
 * through ZooKeeper.
 *
 * <pre>{@code
 * try (ClusterFiles files = ClusterFiles.open(FileSystem.get(conf),
 *         ClusterOptions.builder().zooKeeper("zk1:2181,zk2:2181,zk3:2181").build())) {
 *     files.writeJson(new Path("/config/app.json"), Map.of("replicas", 3));
 *     files.atomicJsonUpdate(new Path("/state/counter.json"), m -> { m.merge("n", 1, (a, b) -> (Integer) a + (Integer) b); return m; });
 *     try (ClusterTransaction tx = files.transaction()) { ...; tx.commit(); }
 *     files.recover();
 * }
 * }</pre>
 *
 * <p><b>Writes</b> are atomic: readers on any host see the old file or the new one, never a
 * part; a crash leaves the old or the new content. The content is forced to the DataNodes' disks
 * ({@code hsync}) before one atomic rename publishes it. {@code NAME.backup} is a copy of the
 * previous content (HDFS has no hard links), made before the rename: {@code NAME} is never
 * absent.
 *
 * <p><b>Locks</b>: with ZooKeeper configured ({@link ClusterOptions.Builder#zooKeeper} or
 * {@link ClusterOptions.Builder#curator}), every write, {@link #atomicJsonUpdate} and
 * transaction holds a ZooKeeper lock per file, keyed by the file's fully qualified path, so that
 * writers on different hosts never lose an update. A lock is given up when the ZooKeeper session
 * is suspended or lost; a write or transaction that notices this before its commit point aborts.
 * <b>Without ZooKeeper, writes are still atomic, but concurrent read-modify-write from several
 * clients is unsafe: two {@link #atomicJsonUpdate} calls on one file can lose one of the updates,
 * and two transactions on one file can interleave.</b>
 *
 * <p><b>Filesystems</b>: HDFS ({@code hdfs://}) and the local filesystem ({@code file://}).
 * Filesystems whose rename is not atomic (S3A and the other object stores) and those without
 * {@code hsync} are refused when opened, with the reason.
 *
 * <p>Instances are thread-safe; close them to stop the Curator client they made (a client given
 * through {@link ClusterOptions.Builder#curator} stays open, and so does the {@link FileSystem}).
 */
public final class ClusterFiles implements AutoCloseable {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final ClusterFs cfs;
    private final ClusterOptions options;
    private final CuratorFramework ownCurator;
    private final ClusterLocks locks;
    private final Path journalDir;
    private final WriteOptions defaultWriteOptions;

    private ClusterFiles(ClusterFs cfs, ClusterOptions options, CuratorFramework ownCurator, ClusterLocks locks) {
        this.cfs = cfs;
        this.options = options;
        this.ownCurator = ownCurator;
        this.locks = locks;
        this.journalDir = cfs.qualify(options.journalDir());
        this.defaultWriteOptions = WriteOptions.builder().backup(options.backup()).durability(options.durability())
                .showProgress(false).build();
    }

    /** {@link #open(FileSystem, ClusterOptions)} with the defaults: no ZooKeeper. */
    public static ClusterFiles open(FileSystem fs) throws IOException {
        return open(fs, ClusterOptions.defaults());
    }

    /**
     * Works on {@code fs}, with the locks and journal folder of {@code options}. Connects to
     * ZooKeeper when a connect string is given (waiting up to the lock timeout).
     *
     * @throws UnsupportedFileSystemException for a filesystem whose rename is not atomic, or
     *     that cannot force content to disk, naming it and the reason
     */
    public static ClusterFiles open(FileSystem fs, ClusterOptions options) throws IOException {
        Objects.requireNonNull(fs, "fs");
        Objects.requireNonNull(options, "options");
        ClusterFs cfs = ClusterFs.of(fs);
        if (options.curator().isPresent()) {
            return new ClusterFiles(cfs, options, null, ClusterLocks.zooKeeper(options.curator().get(),
                    options.zooKeeperRoot()));
        }
        if (options.zooKeeper().isEmpty()) {
            return new ClusterFiles(cfs, options, null, ClusterLocks.none());
        }
        int sessionMs = (int) options.sessionTimeout().toMillis();
        CuratorFramework curator = CuratorFrameworkFactory.newClient(options.zooKeeper().get(), sessionMs,
                Math.min(sessionMs, 15_000), new ExponentialBackoffRetry(100, 5));
        curator.start();
        try {
            long waitMs = Math.max(1000, options.lockTimeout().toMillis());
            if (!curator.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, waitMs), TimeUnit.MILLISECONDS)) {
                throw new IOException("cannot connect to ZooKeeper at " + options.zooKeeper().get() + " within "
                        + waitMs + " ms");
            }
        } catch (InterruptedException e) {
            curator.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to ZooKeeper");
        } catch (IOException | RuntimeException e) {
            curator.close();
            throw e;
        }
        return new ClusterFiles(cfs, options, curator, ClusterLocks.zooKeeper(curator, options.zooKeeperRoot()));
    }

    /** The options these files work with. */
    public ClusterOptions options() {
        return options;
    }

    /** Whether cross-host locks are in force (ZooKeeper configured). */
    public boolean hasLocks() {
        return locks.enabled();
    }

    // ------------------------------------------------------------------ single-file writes

    public ClusterWriteResult writeBytes(Path path, byte[] content) throws IOException {
        return writeBytes(path, content, defaultWriteOptions);
    }

    public ClusterWriteResult writeBytes(Path path, byte[] content, WriteOptions options) throws IOException {
        return writeContent(path, content, ContentType.BYTES, options);
    }

    /** Writes {@code text} as UTF-8. */
    public ClusterWriteResult writeText(Path path, String text) throws IOException {
        return writeText(path, text, defaultWriteOptions);
    }

    public ClusterWriteResult writeText(Path path, String text, WriteOptions options) throws IOException {
        return writeContent(path, text, ContentType.TEXT, options);
    }

    /** Writes {@code value} as JSON indented two spaces, validated against the options' schema first. */
    public ClusterWriteResult writeJson(Path path, Object value) throws IOException {
        return writeJson(path, value, defaultWriteOptions);
    }

    public ClusterWriteResult writeJson(Path path, Object value, WriteOptions options) throws IOException {
        return writeContent(path, value, ContentType.JSON, options);
    }

    /** Writes {@code value} as block-style YAML, validated against the options' schema first. */
    public ClusterWriteResult writeYaml(Path path, Object value) throws IOException {
        return writeYaml(path, value, defaultWriteOptions);
    }

    public ClusterWriteResult writeYaml(Path path, Object value, WriteOptions options) throws IOException {
        return writeContent(path, value, ContentType.YAML, options);
    }

    /**
     * Streams content of any size: {@code body} writes to the temp file (hashing as it goes);
     * when it returns, the file is forced and published; when it throws, nothing is.
     */
    public ClusterWriteResult write(Path path, WriteOptions options, IOConsumer<OutputStream> body)
            throws IOException {
        Path target = qualify(path);
        try (ClusterLocks.Held held = locks.acquire(List.of(target), lockTimeout(options), "write")) {
            return ClusterWrite.write(cfs, target, options, held, body);
        }
    }

    private ClusterWriteResult writeContent(Path path, Object content, ContentType type, WriteOptions options)
            throws IOException {
        Objects.requireNonNull(options, "options");
        Path target = qualify(path);
        byte[] bytes = Content.serialise(target, content, type, options.schema().orElse(null));
        return write(target, options, out -> out.write(bytes));
    }

    private java.time.Duration lockTimeout(WriteOptions writeOptions) {
        // The cluster's lock timeout governs, unless a write asks for a shorter wait.
        return writeOptions.lockTimeout().compareTo(options.lockTimeout()) < 0 ? writeOptions.lockTimeout()
                : options.lockTimeout();
    }

    // ------------------------------------------------------------------ read-modify-write

    /** {@link #atomicJsonUpdate(Path, UnaryOperator, boolean, Object)}: a missing file starts empty, no schema. */
    public Map<String, Object> atomicJsonUpdate(Path path, UnaryOperator<Map<String, Object>> update)
            throws IOException {
        return atomicJsonUpdate(path, update, true, null);
    }

    /**
     * Reads the JSON object in {@code path}, applies {@code update} and writes the result back
     * atomically, holding the file's ZooKeeper lock from the read to the write, so that no
     * concurrent update from any host is lost. <b>Without ZooKeeper nothing is locked, and
     * concurrent updates can be lost.</b> If {@code update} throws, nothing is written.
     *
     * @param createIfMissing a missing file starts as an empty map; when false, {@link NoSuchFileException}
     * @param schema a JSON Schema the new content must satisfy, or null
     * @return the map written
     */
    public Map<String, Object> atomicJsonUpdate(Path path, UnaryOperator<Map<String, Object>> update,
            boolean createIfMissing, Object schema) throws IOException {
        Objects.requireNonNull(update, "update");
        Path target = qualify(path);
        WriteOptions writeOptions = schema == null ? defaultWriteOptions
                : defaultWriteOptions.toBuilder().schema(schema).build();
        try (ClusterLocks.Held held = locks.acquire(List.of(target), options.lockTimeout(), "json_update")) {
            Map<String, Object> current = readJsonObject(target, createIfMissing);
            Map<String, Object> updated = update.apply(current);
            if (updated == null) {
                throw new IllegalArgumentException("json_update " + target + ": the update function returned null");
            }
            byte[] bytes = Content.serialise(target, updated, ContentType.JSON, schema);
            ClusterWrite.write(cfs, target, writeOptions, held, out -> out.write(bytes));
            return updated;
        }
    }

    private Map<String, Object> readJsonObject(Path target, boolean createIfMissing) throws IOException {
        byte[] bytes;
        try (InputStream in = cfs.fs().open(target)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            if (!createIfMissing) {
                NoSuchFileException missing = new NoSuchFileException(target.toString(), null,
                        "json_update: the file does not exist (createIfMissing is false)");
                missing.initCause(e);
                throw missing;
            }
            return new LinkedHashMap<>();
        }
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return new LinkedHashMap<>();
        }
        JsonNode node = Codecs.read(bytes, DataFormat.JSON, Names.display(target));
        if (!node.isObject()) {
            throw new ValidationException(Names.display(target), "the top level of " + target + " is "
                    + node.getNodeType() + ", expected an object", null);
        }
        return Codecs.toMap((ObjectNode) node);
    }

    // ------------------------------------------------------------------ transactions

    /** A new transaction with a generated id. */
    public ClusterTransaction transaction() {
        return transaction(LocalDateTime.now().format(ID_TIME) + "-"
                + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
    }

    /**
     * A new transaction named {@code id}: 1-64 characters of letters, digits, '.', '_' and '-',
     * starting with a letter or digit.
     */
    public ClusterTransaction transaction(String id) {
        TransactionOptions.builder().transactionId(id); // the same rule as core's ids, checked there
        return new ClusterTransaction(this, id);
    }

    void runTransaction(String id, List<Operation> operations) throws IOException {
        TransactionCommit.run(cfs, locks, journalDir, id, operations, options.backup(), options.durability(),
                options.lockTimeout());
    }

    /**
     * Finishes or undoes every transaction whose journal is in the journal folder and whose
     * owner is gone: rolled back before its commit point, rolled forward after it. Journals of
     * running transactions are skipped (listed in the report). Safe to run from any host, at any
     * time, as often as wanted.
     */
    public RecoveryReport recover() throws IOException {
        try {
            return new Recovery(cfs, locks).recoverAll(journalDir);
        } catch (IOException | RuntimeException e) {
            throw Failures.wrap("recover", journalDir, "list journals", e);
        }
    }

    /**
     * Removes, in {@code folder} (not its sub-folders), the temp files of single writes and the
     * hidden files of transactions that killed clients left behind, once they are older than
     * {@code olderThan}: the cluster's counterpart of core's
     * {@link io.atomicfiles.AtomicFiles#sweepStaleTempFiles}. A temp name on a cluster does not
     * say which host made it, so age decides; on HDFS a file still open for writing (its writer's
     * lease alive) is never removed, nor a transaction's file that a journal of this instance's
     * journal folder names (recovery's to finish). Choose {@code olderThan} well above your
     * longest write: a writer paused longer than that loses its temp file, and its write fails
     * (the target keeps its old content). A user's file is never touched.
     *
     * @return the number of files removed
     */
    public int sweepStaleTempFiles(Path folder, java.time.Duration olderThan) throws IOException {
        Objects.requireNonNull(olderThan, "olderThan");
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("sweep " + folder + ": olderThan must not be negative, got "
                    + olderThan);
        }
        Path dir = qualify(folder);
        try {
            return io.atomicfiles.hadoop.journal.Sweep.run(cfs, dir, olderThan, journalDir);
        } catch (IOException | RuntimeException e) {
            throw Failures.wrap("sweep", dir, "remove stale temp files", e);
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** The path on this filesystem, fully qualified: how locks and journals name a file. */
    Path qualify(Path path) {
        Objects.requireNonNull(path, "path");
        return cfs.qualify(path);
    }

    ClusterFs fs() {
        return cfs;
    }

    /** Stops the Curator client this object made (never the caller's, nor the FileSystem). */
    @Override
    public void close() {
        locks.detach();
        if (ownCurator != null) {
            ownCurator.close();
        }
    }
}
