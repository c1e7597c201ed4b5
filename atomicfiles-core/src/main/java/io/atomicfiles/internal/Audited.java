package io.atomicfiles.internal;

import io.atomicfiles.IOCallable;
import io.atomicfiles.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Exactly one audit record per library operation, and the batch an operation belongs to.
 *
 * <p>An operation such as {@code AtomicFiles.copy} runs inside {@link #call}, which reports one
 * {@code completed} or {@code failed} event when it ends. Whatever it does inside (an
 * {@code AtomicWriter} commit, a retried attempt's write) sees {@link #insideOperation()} and
 * reports nothing of its own, so an operation is never recorded twice. Retried attempts are
 * the exception on purpose: {@link Retries} reports each one with status {@code retry}.
 *
 * <p>The batch id ({@link #inBatch}) is per thread: operations started on this thread while a
 * batch runs carry its id. Work handed to other threads (the {@code ...Async} twins) does not.
 */
public final class Audited {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final ThreadLocal<String> BATCH = new ThreadLocal<>();

    private Audited() {
    }

    /** Whether this thread is inside an operation that will report itself. */
    public static boolean insideOperation() {
        return DEPTH.get()[0] > 0;
    }

    /** The id of the batch this thread is running, or null. */
    public static String currentBatch() {
        return BATCH.get();
    }

    /** {@link #call(String, Path, Map, IOCallable, Consumer)} reporting to the global sink only. */
    public static <T> T call(String operation, Path path, Map<String, Object> metadata, IOCallable<T> body)
            throws IOException {
        return call(operation, path, metadata, body, null);
    }

    /**
     * Runs {@code body} as one operation and reports its outcome: to {@link Events} when it is
     * not nested in another operation, and to {@code alsoTo} (a trail of its own) in any case.
     * A {@link WriteResult} gives the record its size and SHA-256. The body's failure is rethrown.
     */
    public static <T> T call(String operation, Path path, Map<String, Object> metadata, IOCallable<T> body,
            Consumer<Events.Event> alsoTo) throws IOException {
        int[] depth = DEPTH.get();
        long start = System.nanoTime();
        T result;
        depth[0]++;
        try {
            result = body.call();
        } catch (IOException | RuntimeException e) {
            depth[0]--;
            report(new Events.Event(operation, path, "failed", -1, null, since(start), message(e), metadata), alsoTo);
            throw e;
        } catch (Error e) {
            depth[0]--;
            throw e;
        }
        depth[0]--;
        if (alsoTo == null && (depth[0] > 0 || !Events.active())) {
            // Nobody receives the record (no sink installed, or an enclosing operation reports):
            // most writes; the record, its duration and its strings are not built for nobody.
            return result;
        }
        long bytes = -1;
        String sha256 = null;
        if (result instanceof WriteResult) {
            bytes = ((WriteResult) result).size();
            sha256 = ((WriteResult) result).sha256();
        }
        report(new Events.Event(operation, path, "completed", bytes, sha256, since(start), null, metadata), alsoTo);
        return result;
    }

    /** Reports an event that no enclosing operation will report for it. */
    public static void report(Events.Event event, Consumer<Events.Event> alsoTo) {
        if (!insideOperation()) {
            Events.emit(event);
        }
        if (alsoTo != null) {
            alsoTo.accept(event);
        }
    }

    /** Runs {@code body} with {@code batchId} as this thread's batch; the previous one is restored after. */
    public static <T> T inBatch(String batchId, IOCallable<T> body) throws IOException {
        String previous = BATCH.get();
        BATCH.set(batchId);
        try {
            return body.call();
        } finally {
            if (previous == null) {
                BATCH.remove();
            } else {
                BATCH.set(previous);
            }
        }
    }

    /**
     * This thread's audit context (inside an operation or not, the batch it runs), for work that
     * another thread does on this thread's behalf while this one waits for it
     * ({@link CombinedUpdates}): run there through {@link Context#run}, a write reports nothing of
     * its own inside this thread's operation, and a record it makes carries this thread's batch.
     */
    static Context context() {
        return new Context(DEPTH.get()[0], BATCH.get());
    }

    /**
     * A thread's audit context, captured by {@link #context()}. Not public: run through it, any
     * code would report nothing of its own, as if inside an operation.
     */
    record Context(int depth, String batch) {
        /** Runs {@code body} on this thread as if on the thread the context was captured on; this thread's own is restored after. */
        void run(Runnable body) {
            int[] ownDepth = DEPTH.get();
            int depthBefore = ownDepth[0];
            String batchBefore = BATCH.get();
            ownDepth[0] = depthBefore + depth;
            setBatch(batch);
            try {
                body.run();
            } finally {
                ownDepth[0] = depthBefore;
                setBatch(batchBefore);
            }
        }

        private static void setBatch(String batch) {
            if (batch == null) {
                BATCH.remove();
            } else {
                BATCH.set(batch);
            }
        }
    }

    /** The message an audit record shows for a failure: its own, or its type when it has none. */
    public static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
