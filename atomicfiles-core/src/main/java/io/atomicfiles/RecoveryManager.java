package io.atomicfiles;

import io.atomicfiles.internal.Log;
import io.atomicfiles.internal.Audited;
import io.atomicfiles.internal.Fsync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Undoes a sequence of file changes made outside a transaction, from backups the caller kept.
 *
 * <pre>{@code
 * RecoveryManager recovery = new RecoveryManager();
 * WriteResult r = AtomicFiles.writeJson(config, newConfig);          // keeps config.json.backup
 * recovery.addRecoveryPoint("write", config, r.backup().orElseThrow());
 * AtomicFiles.writeText(marker, "deployed");                          // a new file
 * recovery.addRecoveryPoint("create", marker, null);
 * try {
 *     restartService();
 *     recovery.clear();                                                // done: nothing to undo
 * } catch (IOException e) {
 *     boolean restored = recovery.attemptRecovery(e);
 * }
 * }</pre>
 *
 * <p>{@link #attemptRecovery} undoes the points newest first: a {@code write}, {@code update}
 * or {@code delete} by copying its backup back over the file through the atomic write protocol
 * (the backup itself stays, so a recovery can be repeated), a {@code create} by removing the
 * file. It gives up after {@value #MAX_ATTEMPTS} attempts until {@link #clear()}. Every undone
 * point is recorded in the global audit trail as operation {@code recover}. Thread-safe.
 */
public final class RecoveryManager {
    /** Attempts allowed between two {@link #clear()}s. */
    public static final int MAX_ATTEMPTS = 3;

    private static final Log LOG = Log.of(RecoveryManager.class);
    private static final Set<String> RESTORED_FROM_BACKUP = Set.of("write", "update", "delete");
    private static final String CREATE = "create";
    private static final WriteOptions RESTORE = WriteOptions.builder().backup(false).showProgress(false).build();

    private final List<RecoveryPoint> stack = new ArrayList<>();
    private int attempts;

    /** A manager with no recovery points. */
    public RecoveryManager() {
    }

    /** {@link #addRecoveryPoint(String, Path, Path, Map)} without metadata. */
    public RecoveryPoint addRecoveryPoint(String operation, Path file, Path backup) {
        return addRecoveryPoint(operation, file, backup, Map.of());
    }

    /**
     * Remembers a change to undo if a later step fails.
     *
     * @param operation {@code write}, {@code update}, {@code delete} or {@code create} (any case)
     * @param backup the file's content before the change (required except for {@code create})
     * @throws IllegalArgumentException for another operation, or a missing backup
     */
    public synchronized RecoveryPoint addRecoveryPoint(String operation, Path file, Path backup,
            Map<String, ?> metadata) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(file, "file");
        String op = operation.toLowerCase(Locale.ROOT);
        if (!RESTORED_FROM_BACKUP.contains(op) && !CREATE.equals(op)) {
            throw new IllegalArgumentException("recovery point for " + file + ": unknown operation '" + operation
                    + "'; expected write, update, delete or create");
        }
        if (!CREATE.equals(op) && backup == null) {
            throw new IllegalArgumentException("recovery point '" + op + "' for " + file
                    + " needs the backup holding its previous content");
        }
        RecoveryPoint point = new RecoveryPoint(op, file, backup,
                metadata == null ? Map.of() : Map.copyOf(metadata), Instant.now());
        stack.add(point);
        return point;
    }

    /**
     * Undoes every recovery point, newest first. A point that cannot be undone (its backup is
     * gone, say) is logged and the others are still undone.
     *
     * @param error the failure that makes recovery necessary (logged)
     * @return whether every point was undone; false also once {@value #MAX_ATTEMPTS} attempts
     *     were made since the last {@link #clear()}, in which case nothing is done
     */
    public synchronized boolean attemptRecovery(Throwable error) {
        if (attempts >= MAX_ATTEMPTS) {
            LOG.get().error("recovery not attempted: already tried {} times; clear() resets", attempts);
            return false;
        }
        attempts++;
        LOG.get().warn("recovery attempt {} of {} ({} points) after: {}", attempts, MAX_ATTEMPTS, stack.size(),
                error == null ? "no error given" : error.toString());
        boolean all = true;
        for (int i = stack.size() - 1; i >= 0; i--) {
            RecoveryPoint point = stack.get(i);
            try {
                Audited.call("recover", point.file(), Map.of("undo", point.operation()), () -> undo(point));
            } catch (IOException | RuntimeException e) {
                LOG.get().error("could not undo {} of {}: {}", point.operation(), point.file(), e.toString());
                all = false;
            }
        }
        return all;
    }

    /** The recovery points, oldest first. */
    public synchronized List<RecoveryPoint> recoveryStack() {
        return List.copyOf(stack);
    }

    /** Recovery attempts made since the last {@link #clear()}. */
    public synchronized int attempts() {
        return attempts;
    }

    /** Forgets every recovery point and resets the attempt count. */
    public synchronized void clear() {
        stack.clear();
        attempts = 0;
    }

    private static Object undo(RecoveryPoint point) throws IOException {
        if (CREATE.equals(point.operation())) {
            if (Files.deleteIfExists(point.file())) {
                Path folder = point.file().toAbsolutePath().getParent();
                Fsync.folder(folder, "recover", point.file());
            }
            return null;
        }
        if (!Files.exists(point.backup(), LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(point.backup().toString(), null,
                    "the backup of " + point.file() + " is gone; cannot undo " + point.operation());
        }
        return AtomicFiles.copy(point.backup(), point.file(), RESTORE);
    }
}
