package io.atomicfiles;

import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.Schemas;
import io.atomicfiles.internal.Confinement;
import io.atomicfiles.internal.Events;
import io.atomicfiles.internal.PathLocks;
import io.atomicfiles.internal.Stat;
import io.atomicfiles.internal.Targets;
import io.atomicfiles.internal.ProgressSink;
import io.atomicfiles.journal.Operation;
import io.atomicfiles.journal.Recovery;
import io.atomicfiles.journal.TransactionCommit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Several file changes that happen together or not at all, even across {@code kill -9} and
 * power loss.
 *
 * <pre>{@code
 * try (FileTransaction tx = new FileTransaction()) {
 *     tx.addWrite(dir.resolve("app.json"), appConfig, ContentType.JSON);
 *     tx.addWrite(dir.resolve("db.yaml"), dbConfig, ContentType.YAML);
 *     tx.addDelete(dir.resolve("old.json"));
 *     tx.commit();          // all or nothing
 * }                         // close() without commit() changes nothing
 * }</pre>
 *
 * <p>Adding an operation checks it at once (content serialised and validated against its
 * schema, source present) and touches no file. {@link #commit()} then stages every new content
 * under a hidden name beside its target, records a durable commit point in a journal, and
 * renames everything into place. A crash before the commit point leaves every file as it was;
 * a crash after it is completed by recovery, which every new transaction runs first (or call
 * {@link #recover()}). A failure during commit undoes every completed step and throws
 * {@link AtomicWriteException} naming the operation that failed.
 *
 * <p>With backups on (the default) a file the transaction overwrites keeps its old content as
 * {@code NAME.backup}, and a file it deletes is kept as {@code NAME.deleted_backup} (remove
 * those with {@link AtomicFileOperations#cleanupBackups}).
 *
 * <p>The journal lives in the state folder ({@code atomicfiles.stateDir},
 * {@code ATOMICFILES_STATE_DIR}, {@code $XDG_STATE_HOME/atomicfiles} or
 * {@code ~/.local/state/atomicfiles}) unless {@link TransactionOptions#journalDir()} says
 * otherwise. Transactions on disjoint files run side by side, in one JVM or several; on shared
 * files they wait for each other. A transaction is for one thread.
 *
 * <p>With {@link TransactionOptions.Builder#confinedTo(Path)}, every path must lead inside one
 * folder, and that is checked again right before each change on disk, so that a folder swapped
 * for a symbolic link while the transaction runs cannot carry a change outside it.
 */
public final class FileTransaction implements AutoCloseable {
    private enum State { OPEN, COMMITTED, ROLLED_BACK }

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final TransactionOptions options;
    private final String id;
    private final List<Operation> operations = new ArrayList<>();
    /** The files the operations change, by {@link PathLocks#key}: one operation per file. */
    private final Map<String, String> claimed = new HashMap<>();
    /** Real paths of the folders of the files claimed so far: one realpath per folder, not per file. */
    private final Map<Path, Path> realFolders = new HashMap<>();
    private State state = State.OPEN;
    /** The confinement of {@link TransactionOptions#confinedTo()}, its root resolved at the first use. */
    private Confinement confinement;

    /** A transaction with {@link TransactionOptions#defaults()}. */
    public FileTransaction() {
        this(TransactionOptions.defaults());
    }

    public FileTransaction(TransactionOptions options) {
        this.options = options;
        this.id = options.transactionId().orElseGet(FileTransaction::newId);
    }

    /** This transaction's id: its journal is {@code <id>.journal}. */
    public String id() {
        return id;
    }

    /** {@link #addWrite(Path, Object, ContentType, Object)} without a schema. */
    public FileTransaction addWrite(Path path, Object content, ContentType type) throws IOException {
        return addWrite(path, content, type, null);
    }

    /**
     * Adds writing {@code content} to {@code path}: JSON and YAML take any Jackson-serialisable
     * value, TEXT a {@link CharSequence} (written as UTF-8), BYTES a {@code byte[]}. The content is
     * serialised now (later changes to the object do not count) and, given a schema, validated now.
     *
     * @throws ValidationException when the content violates {@code schema}; the transaction is unchanged
     */
    public FileTransaction addWrite(Path path, Object content, ContentType type, Object schema) throws IOException {
        requireOpen();
        Path target = target(path, "write");
        byte[] bytes = serialise(target, content, type, schema);
        claimWithBackup(target, "write");
        operations.add(new Operation.Write(target, bytes, type.name()));
        return this;
    }

    /** Adds copying {@code source} to {@code target} (the source is read at commit). */
    public FileTransaction addCopy(Path source, Path target) throws IOException {
        requireOpen();
        Path from = existingFile(source, "copy");
        Path to = target(target, "copy");
        claimWithBackup(to, "copy");
        operations.add(new Operation.Copy(from, to));
        return this;
    }

    /** Adds moving {@code source} to {@code target}. */
    public FileTransaction addMove(Path source, Path target) throws IOException {
        requireOpen();
        Path from = existingFile(source, "move");
        Path to = target(target, "move");
        if (from.equals(to)) {
            throw new IllegalArgumentException("move: " + source + " and " + target + " are the same file");
        }
        claim(from, "move (source)");
        claimWithBackup(to, "move");
        operations.add(new Operation.Move(from, to));
        return this;
    }

    /** Adds deleting {@code path}, which must exist; with backups on it is kept as {@code NAME.deleted_backup}. */
    public FileTransaction addDelete(Path path) throws IOException {
        requireOpen();
        Path target = existingFile(path, "delete");
        claim(target, "delete");
        if (options.backup()) {
            claim(target.resolveSibling(target.getFileName() + ".deleted_backup"), "deleted backup of " + target);
        }
        operations.add(new Operation.Delete(target));
        return this;
    }

    /** The operations added so far, as "write /a/b.json", "delete /a/c.txt", .... */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        operations.forEach(o -> lines.add(o.describe()));
        return lines;
    }

    /**
     * Applies every operation, all or nothing. Does nothing for an empty transaction.
     *
     * @throws AtomicWriteException when any step fails; every file is then as it was before
     * @throws IllegalStateException when already committed or rolled back
     */
    public void commit() throws IOException {
        requireOpen();
        if (operations.isEmpty()) {
            state = State.COMMITTED;
            return;
        }
        ProgressListener progress = ProgressSink.choose(options.showProgress(), options.progressListener());
        progress.started("transaction " + id + " (" + operations.size() + " operations)", totalBytes());
        long start = System.nanoTime();
        try {
            TransactionCommit.run(id, List.copyOf(operations), options, confinement(), progress);
            state = State.COMMITTED;
            progress.finished(true);
            audit("completed", null, start);
        } catch (IOException | RuntimeException e) {
            state = State.ROLLED_BACK;
            progress.finished(false);
            audit("failed", e.getMessage(), start);
            throw e;
        }
    }

    /**
     * Abandons an uncommitted transaction: nothing was touched, nothing will be. Idempotent.
     *
     * @throws IllegalStateException after a successful commit (its old contents are in the backups)
     */
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

    /** Recovers the abandoned transactions of the default journal folder. */
    public static RecoveryReport recover() throws IOException {
        return Recovery.recover(null);
    }

    /** Recovers the abandoned transactions whose journals are in {@code journalDir}. */
    public static RecoveryReport recover(Path journalDir) throws IOException {
        return Recovery.recover(journalDir);
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("transaction " + id + " is already "
                    + (state == State.COMMITTED ? "committed" : "rolled back"));
        }
    }

    /** A target: resolved through symbolic links, never a folder; inside the root when confined. */
    private Path target(Path path, String operation) throws IOException {
        Path target = Targets.resolveFile(path, true, operation);
        return confinement().requireInside(target, operation, path);
    }

    private Confinement confinement() throws IOException {
        if (confinement == null) {
            confinement = options.confinedTo().isPresent() ? Confinement.of(options.confinedTo().get())
                    : Confinement.NONE;
        }
        return confinement;
    }

    /**
     * A file that must exist and be a regular file (not a link). Confined, its folder is taken
     * by its real path (links followed, each checked by the link rule), which must be inside the
     * root: the commit then finds no link on its way unless one was swapped in.
     */
    private Path existingFile(Path path, String operation) throws IOException {
        Path file = path.toAbsolutePath();
        if (confinement().confines() && file.getParent() != null) {
            file = confinement().requireInside(
                    Targets.resolve(file.getParent(), true, operation).resolve(file.getFileName()), operation, path);
        }
        if (!Stat.exists(file)) {
            // An AtomicWriteException like every other refusal of the plan; the cause says which file.
            throw new AtomicWriteException(operation + " " + path + " failed: the file does not exist",
                    new NoSuchFileException(path.toString()), Map.of("operation", operation, "path", path.toString(),
                            "step", "check plan"));
        }
        if (!Stat.isRegularFile(file)) {
            throw new AtomicWriteException(operation + " " + path + " failed: not a regular file", null,
                    Map.of("operation", operation, "path", path.toString()));
        }
        return file;
    }

    /**
     * Refuses a second operation on one file: its outcome would depend on their order, and
     * recovery would take the first one's result for someone else's change. Files are told apart
     * as their locks are (the real path of the folder), so two spellings of one file, through a
     * linked folder or with "..", are one file.
     */
    private void claim(Path path, String operation) throws IOException {
        String key = PathLocks.key(path, realFolders);
        String earlier = claimed.putIfAbsent(key, operation);
        if (earlier != null) {
            throw new AtomicWriteException("transaction " + id + ": " + operation + " " + path + " conflicts with the"
                    + " earlier " + earlier + " of the same file; one operation per file", null,
                    Map.of("operation", operation, "path", path.toString(), "transactionId", id));
        }
    }

    /** Claims a target and, with backups on, its {@code NAME.backup}, which the transaction writes too. */
    private void claimWithBackup(Path target, String operation) throws IOException {
        claim(target, operation);
        if (options.backup()) {
            claim(target.resolveSibling(target.getFileName() + ".backup"), "backup of " + target);
        }
    }

    static byte[] serialise(Path target, Object content, ContentType type, Object schema) throws IOException {
        if (content == null) {
            throw new IllegalArgumentException("write " + target + ": content is null");
        }
        switch (type) {
            case TEXT:
                if (!(content instanceof CharSequence)) {
                    throw new IllegalArgumentException("write " + target + ": TEXT content must be a CharSequence, not "
                            + content.getClass().getName());
                }
                byte[] text = content.toString().getBytes(StandardCharsets.UTF_8);
                validateBytes(target, text, schema);
                return text;
            case BYTES:
                if (!(content instanceof byte[])) {
                    throw new IllegalArgumentException("write " + target + ": BYTES content must be a byte[], not "
                            + content.getClass().getName());
                }
                byte[] bytes = ((byte[]) content).clone();
                validateBytes(target, bytes, schema);
                return bytes;
            default:
                Object value = content;
                if (schema != null) {
                    value = Codecs.toTree(content);
                    Schemas.validate(schema, (tools.jackson.databind.JsonNode) value, target);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (type == ContentType.JSON) {
                    Codecs.writeJson(value, 2, out);
                } else {
                    Codecs.writeYaml(value, out);
                }
                return out.toByteArray();
        }
    }

    private static void validateBytes(Path target, byte[] bytes, Object schema) throws IOException {
        if (schema != null) {
            io.atomicfiles.format.DataFormat format =
                    io.atomicfiles.format.DataFormat.of(target).orElse(io.atomicfiles.format.DataFormat.JSON);
            Schemas.validate(schema, Codecs.read(bytes, format, target), target);
        }
    }

    /**
     * The bytes the transaction will stage, for progress; -1 when a source cannot be measured
     * (it vanished since it was added: the protocol then fails on it, as AtomicWriteException,
     * with every file as it was).
     */
    private long totalBytes() {
        try {
            return TransactionCommit.bytesToStage(operations);
        } catch (IOException e) {
            return -1;
        }
    }

    private void audit(String status, String error, long startNanos) {
        if (!Events.active()) {
            return;
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
        for (Operation operation : operations) {
            String kind = operation.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
            Events.emit(new Events.Event("transaction_" + kind, operation.target(), status, -1, null, duration, error,
                    Map.of("transactionId", id)));
        }
    }

    private static String newId() {
        return LocalDateTime.now().format(ID_TIME) + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }
}
