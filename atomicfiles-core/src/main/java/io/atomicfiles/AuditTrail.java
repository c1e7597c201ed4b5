package io.atomicfiles;

import io.atomicfiles.internal.Log;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.internal.AuditChain;
import io.atomicfiles.internal.AuditLog;
import io.atomicfiles.internal.Audited;
import io.atomicfiles.internal.Events;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tamper-evident record of file operations: a JSON Lines file, one {@link AuditEntry} a line,
 * each line carrying the hash of the line before it, so that {@link #verify()} finds the first
 * line that was edited, removed or reordered.
 *
 * <pre>{@code
 * AuditTrail.setGlobal(Path.of("operations.audit"));   // every library operation is now recorded
 * AtomicFiles.writeJson(Path.of("config.json"), config);
 * AuditTrail trail = AuditTrail.global().orElseThrow();
 * System.out.println(trail.summary().toTable());
 * System.out.println(trail.verify());
 * }</pre>
 *
 * <p>Any number of threads and processes may append to one file at once: appends are
 * serialised by the file's path lock (a lock in the JVM and an OS lock in the state folder, so
 * processes must share the state folder, as they must for all locking in this library), lines
 * are never torn or interleaved, and the chain stays a single line of records whoever wrote
 * them. Each record reaches the OS before the call returns; a durable trail also forces it to
 * disk (one fsync per record).
 *
 * <p>The file can be rotated with {@link AtomicFiles#rotate(Path, int, boolean)}: the next
 * record starts a new file whose first record links to the last hash of the rotated one, and
 * {@link #verify()} follows the chain through {@code NAME.1}, {@code NAME.2}, ... (plain or
 * {@code .gz}). Every instance is a session with its own id; several may write to one file.
 *
 * <p>Beside the file, {@code NAME.head} holds the hash and line of the last record, replaced
 * atomically after each append, so that {@link #verify()} detects records cut off the end, as
 * it detects edited, removed and reordered ones.
 */
public final class AuditTrail {
    private static final Log LOG = Log.of(AuditTrail.class);
    private static final long PID = ProcessHandle.current().pid();
    private static final Set<String> STATUSES =
            Set.of(AuditEntry.STARTED, AuditEntry.COMPLETED, AuditEntry.FAILED, AuditEntry.RETRY);
    private static volatile AuditTrail global;

    private final AuditLog log;
    private final String sessionId = UUID.randomUUID().toString();

    /** A trail in {@code file}, flushed per record but not forced to disk. */
    public AuditTrail(Path file) throws IOException {
        this(file, false);
    }

    /**
     * A trail in {@code file} (created with its folders when missing; appended to when it exists).
     *
     * @param durable force every record to disk before the operation that made it returns
     */
    public AuditTrail(Path file, boolean durable) throws IOException {
        this(AuditLog.onFile(Objects.requireNonNull(file, "file"), durable));
    }

    private AuditTrail(AuditLog log) {
        this.log = log;
    }

    /** A trail kept in memory only: chained and verifiable, gone when the process ends. */
    public static AuditTrail inMemory() {
        return new AuditTrail(AuditLog.inMemory());
    }

    /** The audit file, or empty for a trail in memory. */
    public Optional<Path> file() {
        return Optional.ofNullable(log.file());
    }

    /** This session's id, written into every record it makes. */
    public String sessionId() {
        return sessionId;
    }

    // ---------------------------------------------------------------- recording

    /**
     * Appends a record of an operation, as the seed's {@code log_operation} did.
     *
     * @param status {@code started}, {@code completed}, {@code failed} or {@code retry}
     * @param metadata anything else to keep (values written as JSON; may be null)
     * @param error the failure's message, or null
     * @return the record as written, with its hashes
     */
    public AuditEntry logOperation(String operation, Path path, Map<String, ?> metadata, String status, String error)
            throws IOException {
        Objects.requireNonNull(operation, "operation");
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("audit status must be one of " + STATUSES + ", got " + status);
        }
        Map<String, Object> meta = metadata == null ? Map.of() : new LinkedHashMap<>(metadata);
        return append(new AuditEntry(Instant.now(), sessionId, PID, operation, absolute(path), status, meta, error, -1,
                null, null, null, Audited.currentBatch(), null, null));
    }

    /** Records a library event; a {@code transactionId} metadata value becomes the record's transaction id. */
    AuditEntry record(Events.Event event) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>(event.metadata() == null ? Map.of() : event.metadata());
        Object tx = meta.remove("transactionId");
        return append(new AuditEntry(Instant.now(), sessionId, PID, event.operation(), absolute(event.path()),
                event.status(), meta, event.error(), event.bytes(), event.sha256(), event.duration(),
                tx == null ? null : tx.toString(), Audited.currentBatch(), null, null));
    }

    private AuditEntry append(AuditEntry entry) throws IOException {
        String line = log.append(entry.toJson(), this::fileStart);
        return AuditEntry.fromJson(Codecs.json().readTree(line));
    }

    private ObjectNode fileStart() {
        AuditEntry start = new AuditEntry(Instant.now(), sessionId, PID, AuditChain.FILE_START, null,
                AuditEntry.STARTED, Map.of(), null, -1, null, Duration.ZERO, null, null, null, null);
        return start.toJson();
    }

    // ---------------------------------------------------------------- reading

    /**
     * Every record of the trail, oldest first: the rotated files' and then the current file's,
     * of all sessions; the chain's own file-start records are left out, and so are lines too
     * damaged to read (which {@link #verify()} reports).
     */
    public List<AuditEntry> entries() throws IOException {
        List<AuditEntry> entries = new ArrayList<>();
        for (AuditChain.FileLines file : log.read()) {
            for (String line : file.lines()) {
                try {
                    AuditEntry entry = AuditEntry.fromJson(Codecs.json().readTree(line));
                    if (!AuditChain.FILE_START.equals(entry.operation())) {
                        entries.add(entry);
                    }
                } catch (RuntimeException damaged) {
                    LOG.get().warn("skipping unreadable audit line in {}: {}", file.file(), damaged.toString());
                }
            }
        }
        return entries;
    }

    /** Totals of this session's operations. */
    public AuditSummary summary() throws IOException {
        return AuditSummary.of(sessionId, entries().stream()
                .filter(e -> sessionId.equals(e.sessionId())).collect(Collectors.toList()));
    }

    /** Totals of every operation in the trail, whichever session recorded it. */
    public AuditSummary summaryOfAllSessions() throws IOException {
        return AuditSummary.of(AuditSummary.ALL_SESSIONS, entries());
    }

    /**
     * Checks the chain through the rotated files ({@code NAME.k} or {@code NAME.k.gz}, oldest
     * first) and the current file, and reports the first line edited, removed or reordered; then
     * checks its end against the head file {@code NAME.head}, so that records cut off the end are
     * reported too (a crash between an append's record and its head leaves the head one append
     * behind, which is accepted). A trail in memory has no head.
     */
    public AuditVerification verify() throws IOException {
        return toVerification(log.verify());
    }

    /**
     * {@link #verify()} of the trail in {@code file} without opening it for appending: its
     * rotated files, the file itself and its head {@code NAME.head}, read under the file's lock.
     */
    public static AuditVerification verify(Path file) throws IOException {
        return toVerification(AuditLog.verify(Objects.requireNonNull(file, "file")));
    }

    /**
     * Checks the chain through the given audit files, oldest first (plain or {@code .gz}): each
     * must be intact and each must continue the one before it. The files alone cannot show that
     * records were cut off the end; {@link #verify(Path)} checks the head file for that.
     */
    public static AuditVerification verify(List<Path> filesOldestFirst) throws IOException {
        return toVerification(AuditChain.verify(AuditLog.read(filesOldestFirst)));
    }

    /** {@code file} and its rotated predecessors, oldest first, as {@link #verify()} reads them. */
    public static List<Path> chainFiles(Path file) {
        return AuditLog.chainFiles(file.toAbsolutePath());
    }

    private static AuditVerification toVerification(AuditChain.Outcome o) {
        return new AuditVerification(o.ok(), o.file(), o.line(), o.records(), o.reason(), o.lastHash());
    }

    // ---------------------------------------------------------------- the global trail

    /**
     * Makes a trail in {@code file} the global one: from now on every library operation
     * ({@code AtomicFiles} writes, copies, moves, rotations, {@code AtomicWriter} commits,
     * {@link AtomicFileOperations} operations, retried attempts) is recorded in it.
     */
    public static AuditTrail setGlobal(Path file) throws IOException {
        return setGlobal(new AuditTrail(file));
    }

    /** Makes {@code trail} the global trail (see {@link #setGlobal(Path)}). */
    public static AuditTrail setGlobal(AuditTrail trail) {
        Objects.requireNonNull(trail, "trail");
        global = trail;
        Events.install(trail::record);
        return trail;
    }

    /** The global trail, if one is set. */
    public static Optional<AuditTrail> global() {
        return Optional.ofNullable(global);
    }

    /** Stops recording library operations globally. */
    public static void clearGlobal() {
        Events.install(null);
        global = null;
    }

    /** Whether this trail is the global one, so that its records already come through the global sink. */
    boolean isGlobal() {
        return global == this;
    }

    private static Path absolute(Path path) {
        return path == null ? null : path.toAbsolutePath();
    }

    @Override
    public String toString() {
        return "AuditTrail{" + (log.file() == null ? "in memory" : log.file()) + ", session " + sessionId + "}";
    }
}
